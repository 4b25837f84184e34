// Basic auth through the built bin (curl -u and Node's fetch over TCP): 401 with the challenge
// without or with wrong credentials, 200 with them, bcrypt ($2y$, $2a$, $2b$) and plain htpasswd
// lines, the user in the access log's %u field, refusals at start (another hash kind, a bad pair,
// plain HTTP on a non-loopback address without --auth-insecure), and the parsers as tables.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { AuthConfigError, basicCredentials, CHALLENGE, credentialsFromHtpasswd, credentialsFromPair, isLoopback } from "../../src/cli/basic-auth.js";
import { assertBuilt } from "../support/ops-cli.js";
import { curl } from "../support/static-fixture.js";
import { nonEmptyLines, runCli, startCli, type RunningCli } from "../support/static-cli.js";

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("sockserve --auth", () => {
  let dir: string;
  let htpasswd: string;
  const running: RunningCli[] = [];
  const start = async (args: string[]): Promise<RunningCli> => {
    const cli = await startCli([dir, "-p", "0", ...args], { dist: true });
    running.push(cli);
    return cli;
  };

  before(async () => {
    assertBuilt();
    dir = await mkdtemp(path.join(tmpdir(), "sockserve-auth-"));
    await writeFile(path.join(dir, "secret.txt"), "the secret\n");
    const hash = bcrypt.hashSync("b-pass", 4).slice(4);
    htpasswd = path.join(dir, ".htpasswd");
    await writeFile(htpasswd, `# users\nyann:$2y$${hash}\nana:$2a$${hash}\nbob:$2b$${hash}\n\nplain:pl:ain pass\n`);
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("--auth user:pass: 401 with the challenge without credentials or with wrong ones, 200 with them (curl -u and fetch)", async () => {
    const { url } = await start(["--auth", "ada:open sesame:x", "--quiet"]);
    const target = new URL("secret.txt", url).href;
    const none = await fetch(target);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Basic realm="sockserve", charset="UTF-8"');
    await none.arrayBuffer();
    for (const [user, password] of [["ada", "open sesame"], ["ada", "open sesame:x "], ["bob", "open sesame:x"], ["", ""]] as const) {
      const wrong = await fetch(target, { headers: { authorization: basic(user, password) } });
      assert.equal(wrong.status, 401, `${user}:${password}`);
      await wrong.arrayBuffer();
    }
    const bad = await fetch(target, { headers: { authorization: "Bearer abc" } });
    assert.equal(bad.status, 401);
    await bad.arrayBuffer();
    const ok = await fetch(target, { headers: { authorization: basic("ada", "open sesame:x") } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "the secret\n");
    const c = await curl(["-u", "ada:open sesame:x", "-w", "\n%{http_code}", target]);
    assert.equal(c.stdout.toString(), "the secret\n\n200");
    const w = await curl(["-u", "ada:nope", "-o", "/dev/null", "-w", "%{http_code}", target]);
    assert.equal(w.stdout.toString(), "401");
  });

  it("--auth-file: bcrypt $2y$, $2a$, $2b$ and plain lines; the access log shows the user", async () => {
    const { url, cli } = await start(["--auth-file", htpasswd, "--log", "common"]);
    const target = new URL("secret.txt", url).href;
    for (const user of ["yann", "ana", "bob"]) {
      const c = await curl(["-u", `${user}:b-pass`, "-o", "/dev/null", "-w", "%{http_code}", target]);
      assert.equal(c.stdout.toString(), "200", user);
      const again = await curl(["-u", `${user}:b-pass`, "-o", "/dev/null", "-w", "%{http_code}", target]);
      assert.equal(again.stdout.toString(), "200", `${user} (remembered)`);
      const wrong = await curl(["-u", `${user}:B-pass`, "-o", "/dev/null", "-w", "%{http_code}", target]);
      assert.equal(wrong.stdout.toString(), "401", `${user} with a wrong password`);
    }
    const plain = await fetch(target, { headers: { authorization: basic("plain", "pl:ain pass") } });
    assert.equal(plain.status, 200);
    await plain.arrayBuffer();
    assert.ok(await cli.until(() => cli.stdout.includes(`] "GET /secret.txt HTTP/1.1" 200 11`) && cli.stdout.includes(" - plain ["), 3000), cli.stdout);
    const lines = cli.stdout.split("\n").filter((l) => l.includes("/secret.txt"));
    assert.match(lines[0], /^127\.0\.0\.1 - yann \[[^\]]+\] "GET \/secret\.txt HTTP\/1\.1" 200 11 /);
    assert.match(lines[2], /^127\.0\.0\.1 - yann \[[^\]]+\] "GET \/secret\.txt HTTP\/1\.1" 401 /, "a refused attempt is logged under the name it gave");
    assert.match(lines.at(-1)!, /^127\.0\.0\.1 - plain \[/);
  });

  it("json log: the user field", async () => {
    const { url, cli } = await start(["--auth", "ada:pw", "--log", "json"]);
    await (await fetch(url, { headers: { authorization: basic("ada", "pw") } })).arrayBuffer();
    await (await fetch(url)).arrayBuffer();
    assert.ok(await cli.until(() => nonEmptyLines(cli.stdout).length >= 3, 3000), cli.stdout);
    const [withUser, without] = nonEmptyLines(cli.stdout).slice(1).map((l) => JSON.parse(l) as { user?: string; status: number });
    assert.deepEqual([withUser.user, withUser.status], ["ada", 200]);
    assert.deepEqual([without.user, without.status], [undefined, 401]);
  });

  it("the health endpoint needs no credentials (load balancers have none)", async () => {
    const { url } = await start(["--auth", "ada:pw", "--health", "--quiet"]);
    assert.equal((await fetch(new URL(".well-known/sockserve/health", url))).status, 200);
  });

  it("-H 0.0.0.0 over plain HTTP is refused at start; --auth-insecure allows it", async () => {
    const refused = await runCli([dir, "-p", "0", "-H", "0.0.0.0", "--auth", "ada:pw"], { dist: true });
    assert.equal(refused.code, 2);
    assert.deepEqual(nonEmptyLines(refused.stderr), [
      "sockserve: --auth over plain HTTP on 0.0.0.0 would send passwords in the clear; use --tls-cert and --tls-key, bind to 127.0.0.1, or add --auth-insecure",
    ]);
    const { port } = await start(["-H", "0.0.0.0", "--auth", "ada:pw", "--auth-insecure", "--quiet"]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/secret.txt`)).status, 401);
  });

  const refusals: [string, string[], string | RegExp][] = [
    ["an $apr1$ line", ["--auth-file", "APR1"], /^sockserve: .*apr1\.htpasswd line 2: the hash of "old" is not bcrypt \(\$apr1\$\); use htpasswd -B, or a plain password$/],
    ["a {SHA} line", ["--auth-file", "SHA"], /line 1: the hash of "sha" is not bcrypt \(\{SHA\}\)/],
    ["a missing file", ["--auth-file", "/nonexistent/.htpasswd"], "sockserve: cannot read --auth-file /nonexistent/.htpasswd: ENOENT"],
    ["a pair without a password", ["--auth", "ada:"], "sockserve: --auth must be USER:PASSWORD, both non-empty"],
  ];
  for (const [name, args, line] of refusals) {
    it(`refuses ${name} at start with one line, exit 2`, async () => {
      const files: Record<string, string> = { APR1: "ok:pw\nold:$apr1$abc$defghijklmnopqrstuvw\n", SHA: "sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n" };
      const resolved = await Promise.all(args.map(async (a) => {
        if (!(a in files)) return a;
        const file = path.join(dir, `${a.toLowerCase()}.htpasswd`);
        await writeFile(file, files[a]);
        return file;
      }));
      const r = await runCli([dir, "-p", "0", ...resolved], { dist: true });
      assert.equal(r.code, 2, r.stderr);
      const lines = nonEmptyLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      if (typeof line === "string") assert.equal(lines[0], line);
      else assert.match(lines[0], line);
    });
  }
});

describe("Basic auth parsers", () => {
  it("credentialsFromPair splits at the first colon", () => {
    assert.deepEqual([...credentialsFromPair("a:b:c")], [["a", { kind: "plain", secret: "b:c" }]]);
    for (const bad of ["a", ":b", "a:", ""]) assert.throws(() => credentialsFromPair(bad), AuthConfigError, bad);
  });
  it("credentialsFromHtpasswd: kinds, comments, CRLF, and where a bad line is", () => {
    const hash = `$2b$04$${"a".repeat(53)}`;
    const users = credentialsFromHtpasswd(`# c\r\nb:${hash}\r\np:plain\r\n\r\n`, "f");
    assert.deepEqual([...users], [["b", { kind: "bcrypt", secret: hash }], ["p", { kind: "plain", secret: "plain" }]]);
    assert.throws(() => credentialsFromHtpasswd("x:$6$salt$hash", "f"), /f line 1: the hash of "x" is not bcrypt \(\$6\$\)/);
    assert.throws(() => credentialsFromHtpasswd("\nnocolon", "f"), /f line 2: expected user:hash/);
    assert.throws(() => credentialsFromHtpasswd("# only a comment\n", "f"), /f has no user:hash lines/);
    assert.throws(() => credentialsFromHtpasswd("x:$2b$04$short", "f"), /not bcrypt \(\$2b\$\)/);
  });
  it("basicCredentials decodes UTF-8 and refuses other schemes", () => {
    assert.deepEqual(basicCredentials(basic("zoë", "p:w")), { user: "zoë", password: "p:w" });
    assert.deepEqual(basicCredentials(`basic ${Buffer.from("a:").toString("base64")}`), { user: "a", password: "" });
    for (const bad of [null, "", "Bearer x", "Basic", "Basic !!!", `Basic ${Buffer.from("nocolon").toString("base64")}`]) assert.equal(basicCredentials(bad), null, String(bad));
  });
  it("CHALLENGE names the realm and UTF-8 (RFC 7617 §2.1)", () => assert.equal(CHALLENGE, 'Basic realm="sockserve", charset="UTF-8"'));
  it("isLoopback", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "::ffff:127.0.0.1"]) assert.ok(isLoopback(h), h);
    for (const h of ["0.0.0.0", "::", "192.0.2.1", "::ffff:192.0.2.1", "127.example"]) assert.ok(!isLoopback(h), h);
  });
});
