// The CLI's TLS, through the built bin (dist/cli/sockserve.js) with real clients (openssl
// s_client, curl, Node's https): --tls-dir by SNI name, bad certificate files at start (one line
// naming the file, exit 2) and at SIGHUP (logged, the old certificate keeps serving), and
// --tls-self-signed (cached under XDG_CACHE_HOME, the same fingerprint next time, verifiable).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { startOpsCli } from "../support/ops-cli.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { sClient } from "../support/openssl-client.js";
import { runCli } from "../support/static-cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-tls-cli-"));
const www = path.join(dir, "www");
let a: Cert;
let b: Cert;

before(() => {
  mkdirSync(www);
  writeFileSync(path.join(www, "index.html"), "<p>tls</p>\n");
  a = makeCert(dir, "a", "a.test", ["a.test"]);
  b = makeCert(dir, "b", "b.test", ["b.test"]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("--tls-dir", () => {
  it("serves NAME.crt for NAME, and --tls-cert's certificate to unknown names", async () => {
    const certs = path.join(dir, "certs");
    mkdirSync(certs);
    copyFileSync(b.certFile, path.join(certs, "b.test.crt"));
    copyFileSync(b.keyFile, path.join(certs, "b.test.key"));
    const { cli, port } = await startOpsCli([www, "--port", "0", "--quiet", "--tls-cert", a.certFile, "--tls-key", a.keyFile, "--tls-dir", certs]);
    try {
      assert.equal((await sClient(port, ["-servername", "b.test"])).subject, "CN = b.test");
      assert.equal((await sClient(port, ["-servername", "a.test"])).subject, "CN = a.test");
      assert.equal((await sClient(port, ["-servername", "other.test"])).subject, "CN = a.test");
    } finally {
      await cli.stop(5000);
    }
  });
});

describe("bad certificate files", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["a missing certificate", () => ["--tls-cert", path.join(dir, "nope.crt"), "--tls-key", a.keyFile], /nope\.crt: no such file$/m],
    ["an unreadable key (a directory)", () => ["--tls-cert", a.certFile, "--tls-key", dir], /: is a directory$/m],
    ["a certificate that is not PEM", () => ["--tls-cert", path.join(www, "index.html"), "--tls-key", a.keyFile], /index\.html: not a PEM certificate/],
    ["a key that is not PEM", () => ["--tls-cert", a.certFile, "--tls-key", a.certFile], /a\.crt: not a PEM private key/],
    ["a key of another certificate", () => ["--tls-cert", a.certFile, "--tls-key", b.keyFile], /b\.key: this key does not match the certificate .*a\.crt/],
    ["an empty --tls-dir", () => ["--tls-dir", www], /www: no NAME\.crt and NAME\.key pairs/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one line naming the file, exit 2`, async () => {
      const out = await runCli([www, "--port", "0", ...args()], { dist: true });
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, message);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
      assert.match(out.stderr, /^sockserve: /);
    });
  }

  it("SIGHUP with a missing, then a mismatched key logs why and keeps serving the old certificate", async () => {
    const live = path.join(dir, "live");
    mkdirSync(live);
    const certFile = path.join(live, "site.crt");
    const keyFile = path.join(live, "site.key");
    copyFileSync(a.certFile, certFile);
    copyFileSync(a.keyFile, keyFile);
    const { cli, port } = await startOpsCli([www, "--port", "0", "--quiet", "--tls-cert", certFile, "--tls-key", keyFile]);
    try {
      rmSync(keyFile);
      cli.signal("SIGHUP");
      assert.ok(await cli.until(() => /site\.key: no such file/.test(cli.stderr), 5000), cli.stderr);
      assert.match(cli.stderr, /^sockserve: TLS reload failed, still serving the old certificate: .*site\.key: no such file$/m);
      copyFileSync(b.certFile, certFile);
      copyFileSync(a.keyFile, keyFile);
      cli.signal("SIGHUP");
      assert.ok(await cli.until(() => /does not match/.test(cli.stderr), 5000), cli.stderr);
      assert.ok(cli.running, "a bad reload must not stop the server");
      assert.equal((await sClient(port, [])).subject, "CN = a.test", "the old certificate still serves");
      copyFileSync(b.keyFile, keyFile);
      cli.signal("SIGHUP");
      assert.ok(await cli.until(() => cli.stderr.includes("TLS certificate reloaded"), 5000), cli.stderr);
      assert.equal((await sClient(port, [])).subject, "CN = b.test");
    } finally {
      await cli.stop(5000);
    }
  });
});

describe("--tls-self-signed", () => {
  it("makes a certificate for localhost, 127.0.0.1 and ::1 once, reuses it, and prints its fingerprint", async () => {
    const cache = path.join(dir, "cache");
    const env = { XDG_CACHE_HOME: cache };
    const fingerprints: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { cli, port } = await startOpsCli([www, "--port", "0", "--quiet", "--tls-self-signed"], { env });
      try {
        assert.ok(await cli.until(() => /SHA-256 fingerprint ([0-9A-F:]{95})/.test(cli.stdout), 10_000), cli.stdout);
        fingerprints.push(/SHA-256 fingerprint ([0-9A-F:]{95})/.exec(cli.stdout)![1]);
        const certFile = path.join(cache, "sockserve", "localhost.crt");
        const x509 = new X509Certificate(readFileSync(certFile));
        assert.equal(x509.fingerprint256, fingerprints[run]);
        assert.match(x509.subjectAltName ?? "", /DNS:localhost/);
        assert.match(x509.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
        assert.match(x509.subjectAltName ?? "", /IP Address:0:0:0:0:0:0:0:1|IP Address:::1/i);
        // curl verifies it against the cached file, by name and by address.
        const body = execFileSync("curl", ["-sS", "--cacert", certFile, `https://localhost:${port}/`], { encoding: "utf8" });
        assert.equal(body, "<p>tls</p>\n");
        const status = await new Promise<number>((resolve, reject) => {
          https.get({ host: "127.0.0.1", port, path: "/", ca: readFileSync(certFile), agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          }).on("error", reject);
        });
        assert.equal(status, 200);
      } finally {
        await cli.stop(5000);
      }
    }
    assert.equal(fingerprints[0], fingerprints[1], "the second start reuses the cached certificate");
  });
});
