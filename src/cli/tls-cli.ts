// The CLI's TLS life cycle: certificates read and checked at start (exit 2 on a bad file), the
// self-signed certificate's fingerprint, and SIGHUP reloads that never take the server down.
import type { Server } from "../index.js";
import { selfSignedCert } from "./self-signed.js";
import { TlsFileError, loadTls } from "./tls-files.js";
import type { TlsSpec } from "./tls-spec.js";

/** readTls loads the certificates for serve(); a bad file ends the program with one line and exit 2. */
export async function readTls(spec: TlsSpec, fail: (message: string, code: number) => never): ReturnType<typeof loadTls> {
  try {
    return await loadTls(spec);
  } catch (err) {
    if (err instanceof TlsFileError) fail(err.message, 2);
    throw err;
  }
}

/** reloadOnHangup re-reads the certificates on SIGHUP; a bad one is logged and the old ones keep serving. */
export function reloadOnHangup(server: Server, spec: TlsSpec): void {
  process.on("SIGHUP", () => {
    loadTls(spec)
      .then((list) => {
        server.reloadTLS(list);
        process.stderr.write("sockserve: TLS certificate reloaded\n");
      })
      .catch((err: unknown) => {
        process.stderr.write(`sockserve: TLS reload failed, still serving the old certificate: ${(err as Error).message}\n`);
      });
  });
}

/** selfSignedNote is the line that names the self-signed certificate and its SHA-256 fingerprint. */
export async function selfSignedNote(): Promise<string> {
  const own = await selfSignedCert();
  return `  TLS: self-signed certificate for localhost, 127.0.0.1 and ::1 (${own.certFile})\n  SHA-256 fingerprint ${own.fingerprint}\n`;
}
