// Reads and checks the CLI's certificate files before serve() or reloadTLS() sees them, so a
// missing, unreadable, unparsable or mismatched file is one line naming the file and the reason.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { TlsOptions } from "../index.js";
import { selfSignedCert } from "./self-signed.js";
import type { TlsSpec } from "./tls-spec.js";

/** TlsFileError is a certificate or key the CLI cannot use: its message names the file and the reason. */
export class TlsFileError extends Error {}

/** loadTls reads every certificate the spec names, the default first. */
export async function loadTls(spec: TlsSpec): Promise<TlsOptions[]> {
  if (spec.selfSigned) {
    const own = await selfSignedCert();
    return [{ cert: own.cert, key: own.key }];
  }
  const list: TlsOptions[] = [];
  if (spec.cert !== undefined) list.push(readPair(spec.cert.certFile, spec.cert.keyFile));
  if (spec.dir !== undefined) list.push(...readDir(spec.dir));
  return list;
}

/** readPair reads one certificate and its key and checks that they parse and belong together. */
export function readPair(certFile: string, keyFile: string, serverName?: string): TlsOptions {
  const cert = readPem(certFile);
  const key = readPem(keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsFileError(`${certFile}: not a PEM certificate (${reason(err)})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsFileError(`${keyFile}: not a PEM private key (${reason(err)})`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsFileError(`${keyFile}: this key does not match the certificate ${certFile}`);
  return serverName === undefined ? { cert, key } : { serverName, cert, key };
}

/** readDir reads DIR/NAME.crt with DIR/NAME.key for each NAME, in sorted order; _wildcard.NAME serves *.NAME. */
function readDir(dir: string): TlsOptions[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith(".crt")).sort();
  } catch (err) {
    throw new TlsFileError(`${dir}: ${reason(err)}`);
  }
  if (names.length === 0) throw new TlsFileError(`${dir}: no NAME.crt and NAME.key pairs in it`);
  return names.map((file) => {
    const name = file.slice(0, -".crt".length);
    const serverName = name.startsWith("_wildcard.") ? `*.${name.slice("_wildcard.".length)}` : name;
    return readPair(path.join(dir, file), path.join(dir, `${name}.key`), serverName);
  });
}

function readPem(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsFileError(`${file}: ${reason(err)}`);
  }
}

/** reason is an error's cause in a few words: "no such file", "permission denied", or OpenSSL's text. */
function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EACCES") return "permission denied";
  if (e.code === "EISDIR") return "is a directory";
  return e.message.replace(/^error:[0-9A-F]+:/, "").split("\n")[0];
}
