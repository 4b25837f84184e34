// TlsContexts: the certificates of a TLS server, one SecureContext per server name (SNI,
// RFC 6066 §3), wildcards included, and the session ticket key they all share (RFC 5077).
import { randomBytes } from "node:crypto";
import { createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";

/**
 * TlsOptions are one certificate's files' contents (PEM) for `serve({ tls })` and
 * `server.reloadTLS()`; pass an array of them to serve several names (SNI).
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import { serve, type TlsOptions } from "sockserve";
 *
 * const tls: TlsOptions[] = [
 *   { serverName: "a.test", cert: readFileSync("a.crt"), key: readFileSync("a.key") }, // the default
 *   { serverName: "*.b.test", cert: readFileSync("b.crt"), key: readFileSync("b.key") },
 * ];
 * const server = await serve({ port: 8443, tls, fetch: () => new Response("secure") });
 * server.reloadTLS({ cert: readFileSync("new-cert.pem"), key: readFileSync("new-key.pem") });
 * ```
 */
export interface TlsOptions {
  /** serverName is the SNI name this certificate answers ("a.test", or "*.example.test" for one label); the first entry is the default. */
  serverName?: string;
  /** cert is the certificate chain (PEM). */
  cert: string | Buffer;
  /** key is the private key (PEM). */
  key: string | Buffer;
  /** ca is extra CA certificates (PEM). */
  ca?: string | Buffer;
  /** passphrase decrypts an encrypted key. */
  passphrase?: string;
}

/** TICKET_KEY_BYTES is the size of Node's session ticket key: 16 bytes name, 16 HMAC, 16 AES. */
export const TICKET_KEY_BYTES = 48;

/**
 * SESSION_TIMEOUT is how long a TLS session stays resumable: 300 s, as node:tls servers and nginx's
 * ssl_session_timeout (a bare context would keep OpenSSL's 7200 s). Its tickets say so in their
 * lifetime hint, and it is well inside the period a ticket key keeps decrypting.
 */
export const SESSION_TIMEOUT = 300;

/** TlsContexts holds the contexts for the configured names; it is replaced whole on reload. */
export class TlsContexts {
  readonly #default: SecureContext;
  readonly #exact = new Map<string, SecureContext>();
  readonly #wildcards = new Map<string, SecureContext>(); // "example.test" for "*.example.test"
  readonly #options: TlsOptions[];

  /** TlsContexts builds every context now, so a bad entry throws before anything is replaced. */
  constructor(options: TlsOptions | readonly TlsOptions[], ticketKeys: Buffer) {
    const list = Array.isArray(options) ? [...options] : [options as TlsOptions];
    if (list.length === 0) throw new TypeError("tls needs at least one certificate");
    this.#options = list;
    const contexts = list.map((entry, i) => makeContext(entry, i, ticketKeys));
    this.#default = contexts[0]!;
    list.forEach((entry, i) => {
      const name = entry.serverName?.toLowerCase();
      if (name === undefined) return;
      if (name.startsWith("*.")) this.#wildcards.set(name.slice(2), contexts[i]);
      else this.#exact.set(name, contexts[i]);
    });
  }

  get default(): SecureContext {
    return this.#default;
  }

  /** withTicketKeys builds the same contexts again around another ticket key. */
  withTicketKeys(ticketKeys: Buffer): TlsContexts {
    return new TlsContexts(this.#options, ticketKeys);
  }

  /** forName picks the context for a client's SNI name: exact, then one-label wildcard, else the default. */
  forName(serverName: string): SecureContext {
    const name = serverName.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf(".");
    return (dot > 0 ? this.#wildcards.get(name.slice(dot + 1)) : undefined) ?? this.#default;
  }
}

/** newTicketKeys makes a random session ticket key. */
export function newTicketKeys(): Buffer {
  return randomBytes(TICKET_KEY_BYTES);
}

function makeContext(entry: TlsOptions, index: number, ticketKeys: Buffer): SecureContext {
  const context: SecureContextOptions = { cert: entry.cert, key: entry.key, minVersion: "TLSv1.2", ticketKeys, sessionTimeout: SESSION_TIMEOUT };
  if (entry.ca !== undefined) context.ca = entry.ca;
  if (entry.passphrase !== undefined) context.passphrase = entry.passphrase;
  try {
    return createSecureContext(context);
  } catch (err) {
    const which = entry.serverName ?? (index === 0 ? "the default certificate" : `certificate ${index}`);
    throw new Error(`tls (${which}): ${(err as Error).message}`, { cause: err });
  }
}
