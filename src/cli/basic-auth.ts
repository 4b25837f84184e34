// HTTP Basic authentication for the CLI (RFC 7617): --auth user:password or an htpasswd file
// (bcrypt or plain lines), checked by a handler wrapped around the app's handler.
import { createHash, timingSafeEqual } from "node:crypto";
import bcrypt from "bcryptjs";
import type { Server, ServeOptions } from "../index.js";

type Handler = NonNullable<ServeOptions["fetch"]>;

/** Credentials maps each user name to a plain password or a bcrypt hash. */
export type Credentials = Map<string, { kind: "plain" | "bcrypt"; secret: string }>;

/** AuthConfigError is a bad --auth value or htpasswd line: one line for stderr. */
export class AuthConfigError extends Error {}

/** CHALLENGE is the WWW-Authenticate value: the protection space named in WWW-Authenticate (RFC 7617 §2, with charset from §2.1). */
export const CHALLENGE = 'Basic realm="sockserve", charset="UTF-8"';

/** credentialsFromPair reads `user:password` (the password may hold colons; the user may not). */
export function credentialsFromPair(pair: string): Credentials {
  const colon = pair.indexOf(":");
  if (colon <= 0 || colon === pair.length - 1) throw new AuthConfigError(`--auth must be USER:PASSWORD, both non-empty`);
  return new Map([[pair.slice(0, colon), { kind: "plain", secret: pair.slice(colon + 1) }]]);
}

/**
 * credentialsFromHtpasswd reads htpasswd lines `user:hash`: bcrypt (`$2y$`, `$2a$`, `$2b$`, as
 * `htpasswd -B` writes) or a plain password. Blank lines and `#` comments are skipped; any other
 * hash kind (`$apr1$`, `{SHA}`, `$5$`, `$6$`, ...) is refused, naming the file and line.
 */
export function credentialsFromHtpasswd(text: string, file: string): Credentials {
  const users: Credentials = new Map();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    const colon = line.indexOf(":");
    const where = `${file} line ${i + 1}`;
    if (colon <= 0) throw new AuthConfigError(`${where}: expected user:hash`);
    const [user, secret] = [line.slice(0, colon), line.slice(colon + 1)];
    if (/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(secret)) users.set(user, { kind: "bcrypt", secret });
    else if (/^[$]|^\{[A-Z0-9-]+\}/.test(secret)) {
      throw new AuthConfigError(`${where}: the hash of "${user}" is not bcrypt (${hashKind(secret)}); use htpasswd -B, or a plain password`);
    } else users.set(user, { kind: "plain", secret });
  });
  if (users.size === 0) throw new AuthConfigError(`${file} has no user:hash lines`);
  return users;
}

function hashKind(secret: string): string {
  const m = /^(\$[^$]*\$|\{[^}]*\})/.exec(secret);
  return m === null ? "unknown" : m[1];
}

/** basicCredentials reads the user and password of `Authorization: Basic ...`, or null when there are none. */
export function basicCredentials(header: string | null): { user: string; password: string } | null {
  const m = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header ?? "");
  if (m === null) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * withBasicAuth answers 401 with a Basic challenge unless the request carries credentials that
 * match `users`, and passes the rest to `handler`. Successful bcrypt checks are remembered
 * (by digest, for a bounded number of entries) so each request does not pay bcrypt's cost again.
 */
export function withBasicAuth(handler: Handler, users: Credentials): Handler {
  const verified = new Set<string>();
  return async (request: Request, server: Server) => {
    const given = basicCredentials(request.headers.get("authorization"));
    if (given !== null && (await check(users, given, verified))) return handler(request, server);
    return new Response("401 Unauthorized: this server needs a user name and password\n", {
      status: 401,
      headers: { "www-authenticate": CHALLENGE, "content-type": "text/plain; charset=utf-8" },
    });
  };
}

const MAX_REMEMBERED = 1024;
const DUMMY = sha256("sockserve: no such user");

async function check(users: Credentials, given: { user: string; password: string }, verified: Set<string>): Promise<boolean> {
  const entry = users.get(given.user);
  const digest = sha256(`${given.user}\0${given.password}`);
  // Compare digests, so the lengths match and the time does not tell how much of a password was right.
  if (entry === undefined) return timingSafeEqual(digest, DUMMY) && false;
  if (entry.kind === "plain") return timingSafeEqual(digest, sha256(`${given.user}\0${entry.secret}`));
  const key = digest.toString("base64");
  if (verified.has(key)) return true;
  if (!(await bcrypt.compare(given.password, entry.secret))) return false;
  if (verified.size >= MAX_REMEMBERED) verified.clear();
  verified.add(key);
  return true;
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** isLoopback tells whether binding `host` keeps the server on this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/i.test(host);
}
