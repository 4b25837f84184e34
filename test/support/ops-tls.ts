// Self-signed certificates for the TLS tests, made with the openssl command line into a
// directory the test owns: CN and subjectAltName (IP:127.0.0.1, DNS:localhost) as asked.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

/** Cert is one PEM certificate and its unencrypted key, in memory and on disk. */
export interface Cert {
  cn: string;
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** makeCert writes `<name>.crt` and `<name>.key` into `dir` for CN=`cn`, valid for 127.0.0.1 and localhost (and `names`). */
export function makeCert(dir: string, name: string, cn: string, names: string[] = []): Cert {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes",
      "-keyout", keyFile, "-out", certFile,
      "-days", "2",
      "-subj", `/CN=${cn}`,
      "-addext", `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...names.map((n) => `DNS:${n}`)].join(",")}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return { cn, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), certFile, keyFile };
}
