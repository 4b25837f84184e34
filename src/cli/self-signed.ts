// --tls-self-signed: a certificate for localhost, 127.0.0.1 and ::1 made with the selfsigned
// package, kept under the user's cache directory so a browser sees the same one next time.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { generate } from "selfsigned";

const VALID_DAYS = 30;
const RENEW_BEFORE = 24 * 60 * 60 * 1000; // a certificate with less than a day left is made again

/** SelfSigned is the certificate, its key, where they are kept and the SHA-256 fingerprint. */
export interface SelfSigned {
  cert: string;
  key: string;
  certFile: string;
  fingerprint: string;
}

/** cacheDir is $XDG_CACHE_HOME/sockserve, or ~/.cache/sockserve. */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== "" ? process.env.XDG_CACHE_HOME : path.join(homedir(), ".cache");
  return path.join(base, "sockserve");
}

/** selfSignedCert returns the cached certificate while it is valid, else makes and keeps a new one. */
export async function selfSignedCert(dir = cacheDir()): Promise<SelfSigned> {
  const certFile = path.join(dir, "localhost.crt");
  const keyFile = path.join(dir, "localhost.key");
  const cached = readCached(certFile, keyFile);
  if (cached !== null) return cached;
  const made = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + VALID_DAYS * 24 * 60 * 60 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyFile, made.private, { mode: 0o600 });
  writeFileSync(certFile, made.cert);
  return { cert: made.cert, key: made.private, certFile, fingerprint: new X509Certificate(made.cert).fingerprint256 };
}

function readCached(certFile: string, keyFile: string): SelfSigned | null {
  try {
    const cert = readFileSync(certFile, "utf8");
    const key = readFileSync(keyFile, "utf8");
    const x509 = new X509Certificate(cert);
    if (Date.parse(x509.validTo) - Date.now() < RENEW_BEFORE || !x509.checkPrivateKey(createPrivateKey(key))) return null;
    return { cert, key, certFile, fingerprint: x509.fingerprint256 };
  } catch {
    return null; // missing or damaged: make a new one
  }
}
