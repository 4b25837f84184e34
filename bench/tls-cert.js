// tls-cert.js: one certificate per benchmark run for the HTTPS case (ECDSA P-256, made with the
// openssl command line in the run's temp dir), copied into each TLS peer's scratch dir by its
// `prepare`, so sockserve, node:https and nginx present the same certificate.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { workDir } from "./workdir.js";

let made = null;

/** runCert makes the run's certificate on first use and returns { cert, key } paths. */
export function runCert() {
  if (made) return made;
  const dir = path.join(workDir(), "tls");
  mkdirSync(dir, { recursive: true });
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  made = { cert, key };
  return made;
}

/** copyCert is a TLS peer's `prepare`: {scratch}/cert.pem and {scratch}/key.pem. */
export function copyCert(ctx) {
  const { cert, key } = runCert();
  copyFileSync(cert, path.join(ctx.scratch, "cert.pem"));
  copyFileSync(key, path.join(ctx.scratch, "key.pem"));
}
