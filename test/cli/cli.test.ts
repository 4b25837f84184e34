// The sockserve CLI as a child process: the listening line with the real port,
// --help, exit code 2 for bad flags and a missing directory, a taken port, the
// access log in combined, common and json formats (bytes as received by the
// client, a response time), --quiet, each serving flag, LAN addresses on 0.0.0.0,
// and a graceful exit 0 on SIGTERM and SIGINT.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { open, realpath } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { curl, makeTree, rawRequest, textOf, type TempTree } from "../support/static-fixture.js";
import { CLI_DIST, LISTENING, nonEmptyLines, runCli, startCli, type RunningCli } from "../support/static-cli.js";
import { RawClient } from "../support/raw.js";

const BIG_JS = textOf(30_000, "cli");
const HUGE = 256 * 1024 * 1024;
const FILES = {
  "site/a.txt": "hello from a.txt\n",
  "site/big.js": BIG_JS,
  "site/index-less/x.txt": "x",
  "site/.env": "DOT=1",
  "site/spa/index.html": "<!doctype html><p>spa shell</p>",
  "secret.txt": "outside the root",
  "site/link-out.txt": { symlink: "../secret.txt" },
};

const FLAGS = ["--port", "-p", "--host", "-H", "--log", "--quiet", "--no-listing", "--cache", "--no-compress", "--spa", "--cors", "--dotfiles", "--follow-symlinks", "--max-body-size", "--auth", "--auth-file", "--auth-insecure", "--open", "--watch", "--version", "-v", "--help"];

/** onlyLine asserts `text` holds exactly one non-blank line and returns it. */
function onlyLine(text: string, label: string): string {
  const lines = nonEmptyLines(text);
  assert.equal(lines.length, 1, `${label}: expected one line, got ${JSON.stringify(text)}`);
  return lines[0];
}

/** clfDate parses "[10/Oct/2000:13:55:36 -0700]" (without the brackets). */
function clfDate(text: string): number {
  const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  assert.ok(m, `bad log timestamp ${text}`);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].indexOf(m[2]);
  assert.ok(month >= 0, `bad month in ${text}`);
  const offset = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset;
}

const COMBINED = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(.*)$/;
const COMMON = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(.*)$/;

/** Exchange is one request the log test makes, with the body bytes its client received. */
interface Sent {
  requestLine: string;
  status: number;
  /** bytes lists the acceptable logged byte counts (what the client received). */
  bytes: number[];
}

/** makeRequests sends a fixed mix of requests and records what each client received. */
async function makeRequests(port: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const c = await curl(["-A", "TestAgent/1.0 (log test)", "-e", "http://ref.example/page", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", `http://127.0.0.1:${port}/a.txt`]);
  const [status, size] = c.stdout.toString().split(" ").map(Number);
  sent.push({ requestLine: "GET /a.txt HTTP/1.1", status: status, bytes: [size] });
  const missing = await rawRequest(port, "/missing.txt");
  sent.push({ requestLine: "GET /missing.txt HTTP/1.1", status: missing.response.status, bytes: [missing.afterHead.length] });
  const range = await rawRequest(port, "/big.js?r=1", { headers: { range: "bytes=0-9" } });
  assert.equal(range.response.status, 206);
  sent.push({ requestLine: "GET /big.js?r=1 HTTP/1.1", status: 206, bytes: [10] });
  const gz = await rawRequest(port, "/big.js?gz=1", { headers: { "accept-encoding": "gzip" } });
  assert.equal(gz.response.get("content-encoding"), "gzip");
  // Chunked framing may or may not be counted; the body is much smaller than the file either way.
  sent.push({ requestLine: "GET /big.js?gz=1 HTTP/1.1", status: 200, bytes: [gz.response.body.length, gz.afterHead.length] });
  const head = await rawRequest(port, "/a.txt", { method: "HEAD" });
  sent.push({ requestLine: "HEAD /a.txt HTTP/1.1", status: head.response.status, bytes: [0] });
  return sent;
}

describe("sockserve CLI", () => {
  let tree: TempTree;
  const running: RunningCli[] = [];
  const start = async (args: string[], options: Parameters<typeof startCli>[1] = {}) => {
    const cli = await startCli(args, options);
    running.push(cli);
    return cli;
  };

  before(async () => {
    tree = await makeTree(FILES);
    const huge = await open(path.join(tree.root, "huge.bin"), "w");
    await huge.truncate(HUGE); // sparse
    await huge.close();
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await tree?.remove();
  });

  describe("startup", () => {
    it("prints the listening line with the absolute directory and the real port, and serves it", async () => {
      const { dir, url, host, port, cli } = await start([tree.root, "--port", "0"]);
      assert.equal(await realpath(dir), await realpath(tree.root));
      assert.ok(path.isAbsolute(dir));
      assert.equal(host, "127.0.0.1");
      assert.ok(port > 0 && port !== 8000, `port ${port}`);
      const res = await fetch(new URL("a.txt", url));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), FILES["site/a.txt"]);
      assert.equal(cli.stderr, "", "nothing on stderr");
    });

    it("resolves a relative DIR and defaults DIR to the working directory", async () => {
      const relative = await start(["site", "-p", "0"], { cwd: tree.base });
      assert.equal(await realpath(relative.dir), await realpath(tree.root));
      const none = await start(["-p", "0"], { cwd: tree.root });
      assert.equal(await realpath(none.dir), await realpath(tree.root));
      const res = await fetch(new URL("a.txt", none.url));
      assert.equal(await res.text(), FILES["site/a.txt"]);
    });

    it("listens on 127.0.0.1:8000 by default", async (t) => {
      const free = await new Promise<boolean>((resolve) => {
        const probe = net.createServer();
        probe.once("error", () => resolve(false));
        probe.listen(8000, "127.0.0.1", () => probe.close(() => resolve(true)));
      });
      if (!free) return t.skip("port 8000 is in use here");
      const { host, port, cli } = await start([tree.root, "--quiet"]);
      try {
        assert.equal(host, "127.0.0.1");
        assert.equal(port, 8000);
      } finally {
        await cli.stop();
      }
    });

    it("--help mentions every flag and the defaults, and exits 0", async () => {
      const { code, stdout, stderr } = await runCli(["--help"]);
      assert.equal(code, 0, stderr);
      const lines = stdout.split("\n");
      const near = (flag: string) => {
        const i = lines.findIndex((l) => new RegExp(`(^|[\\s,])${flag.replace(/-/g, "\\-")}\\b`).test(l));
        assert.ok(i >= 0, `--help does not mention ${flag}:\n${stdout}`);
        return `${lines[i]}\n${lines[i + 1] ?? ""}`;
      };
      for (const flag of FLAGS) near(flag);
      assert.match(near("--port"), /8000/, "the --port default");
      assert.match(near("--host"), /127\.0\.0\.1/, "the --host default");
      assert.match(near("--log"), /combined/, "the --log default");
      for (const format of ["common", "combined", "json", "off"]) assert.match(near("--log"), new RegExp(format));
    });
  });

  describe("errors", () => {
    const bad: string[][] = [["--bogus"], ["--port", "abc"], ["--port", "70000"], ["--port", "-1"], ["--log", "xml"], ["--cache", "abc"], ["--port"], ["-x"]];
    for (const args of bad) {
      it(`${args.join(" ")} → exit 2 with one line on stderr`, async () => {
        const { code, stdout, stderr } = await runCli([tree.root, ...args]);
        assert.equal(code, 2, `exit code; stderr: ${stderr}`);
        onlyLine(stderr, args.join(" "));
        assert.doesNotMatch(stdout, LISTENING, "it started anyway");
        if (args[0] === "--bogus") assert.match(stderr, /--bogus/);
      });
    }

    it("a missing directory → exit 2 with one line naming it", async () => {
      const missing = path.join(tree.base, "no-such-dir");
      const { code, stdout, stderr } = await runCli([missing, "-p", "0"]);
      assert.equal(code, 2, stderr);
      assert.match(onlyLine(stderr, "missing dir"), /no-such-dir/);
      assert.doesNotMatch(stdout, LISTENING);
    });

    it("a file given as DIR is refused with one line", async () => {
      const { code, stdout, stderr } = await runCli([path.join(tree.root, "a.txt"), "-p", "0"]);
      assert.notEqual(code, 0);
      onlyLine(stderr, "file as DIR");
      assert.doesNotMatch(stdout, LISTENING);
    });

    it("a port in use → non-zero exit and one line naming the port and suggesting another", async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const { code, signal, stdout, stderr } = await runCli([tree.root, "-p", String(port)], { timeoutMs: 20_000 });
        assert.equal(signal, null, "it hung and was killed");
        assert.notEqual(code, 0);
        assert.doesNotMatch(stdout, LISTENING);
        const line = onlyLine(stderr, "port in use");
        assert.match(line, new RegExp(`\\b${port}\\b`), "the message names the port");
        assert.match(line, /in use|EADDRINUSE|already/i);
        assert.match(line, /--port|-p\b|another port/i, "the message suggests another port");
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });

  describe("access log", () => {
    /** logLines waits for `count` log lines (those not part of the startup banner). */
    const logLines = async (cli: RunningCli["cli"], isLog: (line: string) => boolean, count: number) => {
      await cli.until(() => cli.stdoutLines().filter(isLog).length >= count, 5000);
      await new Promise((r) => setTimeout(r, 300)); // and no extra lines afterwards
      return cli.stdoutLines().filter(isLog);
    };

    it("combined (the default): one line per request with status, bytes received, referer, agent and a response time", async () => {
      const { cli, port } = await start([tree.root, "-p", "0"]);
      const before = Date.now();
      const sent = await makeRequests(port);
      const lines = await logLines(cli, (l) => COMBINED.test(l), sent.length);
      assert.equal(lines.length, sent.length, `log lines:\n${cli.stdout}`);
      const otherLines = cli.stdoutLines().filter((l) => !COMBINED.test(l) && !LISTENING.test(l) && !/https?:\/\//.test(l) && l.trim() !== "");
      assert.deepEqual(otherLines, [], "stdout lines that are neither the banner nor log lines");
      for (const s of sent) {
        const line = lines.find((l) => COMBINED.exec(l)![5] === s.requestLine);
        assert.ok(line, `no log line for ${s.requestLine}:\n${lines.join("\n")}`);
        const m = COMBINED.exec(line)!;
        assert.equal(m[1], "127.0.0.1");
        assert.ok(Math.abs(clfDate(m[4]) - before) < 60_000, `timestamp ${m[4]}`);
        assert.equal(Number(m[6]), s.status, line);
        const logged = m[7] === "-" ? 0 : Number(m[7]);
        assert.ok(s.bytes.includes(logged), `${s.requestLine}: logged ${m[7]} bytes, the client received ${s.bytes.join(" or ")}\n${line}`);
        assert.match(m[10], /\d/, `no response time after the agent: ${line}`);
        if (s.requestLine === "GET /a.txt HTTP/1.1") {
          assert.equal(m[8], "http://ref.example/page");
          assert.equal(m[9], "TestAgent/1.0 (log test)");
        }
      }
      const gz = sent.find((s) => s.requestLine.includes("gz=1"))!;
      assert.ok(Math.max(...gz.bytes) < BIG_JS.length / 2, "the gzip case did not compress");
    });

    it("combined escapes a double quote in the User-Agent, so the line still parses", async () => {
      const { cli, port } = await start([tree.root, "-p", "0"]);
      const agent = 'evil" 999 "injected';
      const c = await curl(["-A", agent, "-o", "/dev/null", `http://127.0.0.1:${port}/a.txt?ua=1`]);
      assert.equal(c.code, 0, c.stderr);
      const isOurs = (l: string) => l.includes("/a.txt?ua=1");
      assert.ok(await cli.until(() => cli.stdoutLines().some(isOurs), 5000), cli.stdout);
      const line = cli.stdoutLines().find(isOurs)!;
      const m = COMBINED.exec(line);
      assert.ok(m, `unparseable log line: ${line}`);
      assert.equal(m[6], "200", line);
      // Apache writes \", nginx \x22; both keep the field parseable.
      const unescaped = m[9].replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, hex: string | undefined, c: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : c!));
      assert.equal(unescaped, agent, line);
    });

    it("common: the same without referer and agent", async () => {
      const { cli, port } = await start([tree.root, "-p", "0", "--log", "common"]);
      const sent = await makeRequests(port);
      const lines = await logLines(cli, (l) => COMMON.test(l), sent.length);
      assert.equal(lines.length, sent.length, `log lines:\n${cli.stdout}`);
      for (const s of sent) {
        const line = lines.find((l) => COMMON.exec(l)![5] === s.requestLine);
        assert.ok(line, `no log line for ${s.requestLine}`);
        const m = COMMON.exec(line)!;
        assert.equal(Number(m[6]), s.status);
        const logged = m[7] === "-" ? 0 : Number(m[7]);
        assert.ok(s.bytes.includes(logged), `${s.requestLine}: logged ${m[7]}, received ${s.bytes.join(" or ")}`);
        assert.ok(!line.includes("TestAgent") && !line.includes("ref.example"), `common format with agent or referer: ${line}`);
        assert.match(m[8], /\d/, `no response time: ${line}`);
      }
    });

    it("json: one JSON object per line with status, bytes and a duration", async () => {
      const { cli, port } = await start([tree.root, "-p", "0", "--log", "json"]);
      const sent = await makeRequests(port);
      const lines = await logLines(cli, (l) => l.trimStart().startsWith("{"), sent.length);
      assert.equal(lines.length, sent.length, `log lines:\n${cli.stdout}`);
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const s of sent) {
        const [method, target] = s.requestLine.split(" ");
        const record = records.find((r) => {
          const values = Object.values(r).filter((v): v is string => typeof v === "string");
          return values.includes(method) && values.some((v) => v === target || v.endsWith(target));
        });
        assert.ok(record, `no JSON record for ${s.requestLine}:\n${lines.join("\n")}`);
        assert.equal(record.status, s.status, JSON.stringify(record));
        const byteKeys = Object.keys(record).filter((k) => /byte|size|length/i.test(k) && typeof record[k] === "number");
        assert.ok(byteKeys.some((k) => s.bytes.includes(record[k] as number)), `${s.requestLine}: no byte count among ${JSON.stringify(record)}; received ${s.bytes.join(" or ")}`);
        const timeKeys = Object.keys(record).filter((k) => /duration|elapsed|response.?time|ms$|^time/i.test(k) && typeof record[k] === "number");
        assert.ok(timeKeys.length > 0, `no duration in ${JSON.stringify(record)}`);
      }
    });

    it("logs the bytes actually sent when the client goes away mid-transfer", async () => {
      const { cli, port } = await start([tree.root, "-p", "0"]);
      const socket = net.connect({ port, host: "127.0.0.1" });
      let received = Buffer.alloc(0);
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.on("data", (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          if (received.indexOf("\r\n\r\n") !== -1) {
            socket.pause(); // stop reading: the server's writes back up
            resolve();
          }
        });
        socket.write("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n");
      });
      await new Promise((r) => setTimeout(r, 300));
      const bodyReceived = received.length - (received.indexOf("\r\n\r\n") + 4);
      socket.destroy();
      const isHuge = (l: string) => COMBINED.exec(l)?.[5] === "GET /huge.bin HTTP/1.1";
      assert.ok(await cli.until(() => cli.stdoutLines().some(isHuge), 5000), `no log line for the aborted download:\n${cli.stdout}`);
      const m = COMBINED.exec(cli.stdoutLines().find(isHuge)!)!;
      assert.equal(m[6], "200");
      const logged = Number(m[7]);
      assert.ok(logged >= bodyReceived, `logged ${logged} bytes, but the client received ${bodyReceived}`);
      assert.ok(logged < HUGE / 2, `logged ${logged} bytes of ${HUGE}, though the client read only ${bodyReceived} and left`);
    });

    for (const args of [["--quiet"], ["--log", "off"]]) {
      it(`${args.join(" ")} prints no log lines`, async () => {
        const { cli, port } = await start([tree.root, "-p", "0", ...args]);
        await makeRequests(port);
        await new Promise((r) => setTimeout(r, 500));
        const extra = cli.stdoutLines().filter((l) => l.trim() !== "" && !LISTENING.test(l));
        assert.deepEqual(extra, []);
      });
    }
  });

  describe("serving flags", () => {
    it("defaults: listing, no-cache, compression, no CORS, no dotfiles, no outside symlinks", async () => {
      const { port } = await start([tree.root, "-p", "0", "--quiet"]);
      assert.equal((await rawRequest(port, "/index-less/")).response.status, 200);
      assert.equal((await rawRequest(port, "/a.txt")).response.get("cache-control"), "no-cache");
      assert.equal((await rawRequest(port, "/big.js", { headers: { "accept-encoding": "gzip" } })).response.get("content-encoding"), "gzip");
      assert.equal((await rawRequest(port, "/a.txt")).response.get("access-control-allow-origin"), undefined);
      assert.equal((await rawRequest(port, "/.env")).response.status, 404);
      assert.ok([403, 404].includes((await rawRequest(port, "/link-out.txt")).response.status));
      assert.equal((await rawRequest(port, "/spa/route", { headers: { accept: "text/html" } })).response.status, 404);
    });

    it("--no-listing --cache 60 --no-compress --cors --dotfiles --follow-symlinks -H 127.0.0.1", async () => {
      const { port, host } = await start([tree.root, "-p", "0", "--quiet", "--no-listing", "--cache", "60", "--no-compress", "--cors", "--dotfiles", "--follow-symlinks", "-H", "127.0.0.1"]);
      assert.equal(host, "127.0.0.1");
      assert.equal((await rawRequest(port, "/index-less/")).response.status, 404);
      assert.match((await rawRequest(port, "/a.txt")).response.get("cache-control") ?? "", /max-age=60\b/);
      const big = (await rawRequest(port, "/big.js", { headers: { "accept-encoding": "gzip, br" } })).response;
      assert.equal(big.get("content-encoding"), undefined);
      assert.equal(big.text, BIG_JS);
      assert.equal((await rawRequest(port, "/a.txt")).response.get("access-control-allow-origin"), "*");
      const env = (await rawRequest(port, "/.env")).response;
      assert.equal(env.status, 200);
      assert.equal(env.text, "DOT=1");
      const link = (await rawRequest(port, "/link-out.txt")).response;
      assert.equal(link.status, 200);
      assert.equal(link.text, "outside the root");
    });

    it("--spa", async () => {
      const { port } = await start([path.join(tree.root, "spa"), "-p", "0", "--quiet", "--spa"]);
      const res = (await rawRequest(port, "/some/route", { headers: { accept: "text/html" } })).response;
      assert.equal(res.status, 200);
      assert.equal(res.text, FILES["site/spa/index.html"]);
    });

    it("-H 0.0.0.0 also prints the LAN addresses", async (t) => {
      const lan = Object.values(os.networkInterfaces())
        .flat()
        .filter((a) => a && a.family === "IPv4" && !a.internal)
        .map((a) => a!.address);
      if (lan.length === 0) return t.skip("no non-internal IPv4 interface");
      const { cli, port } = await start([tree.root, "-p", "0", "-H", "0.0.0.0", "--quiet"]);
      const found = await cli.until(() => lan.every((ip) => cli.stdout.includes(`http://${ip}:${port}/`)), 3000);
      assert.ok(found, `expected ${lan.map((ip) => `http://${ip}:${port}/`).join(", ")} in:\n${cli.stdout}`);
      const res = await fetch(`http://127.0.0.1:${port}/a.txt`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    });
  });

  describe("signals", () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      it(`${signal} stops it gracefully with exit code 0, idle keep-alive connection and all`, async () => {
        const { cli, port } = await start([tree.root, "-p", "0", "--quiet"]);
        const client = await RawClient.connect(port);
        try {
          await client.write(`GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n`);
          await client.waitForResponses(1);
          cli.signal(signal);
          const done = await cli.until(() => !cli.running, 10_000);
          assert.ok(done, `still running 10 s after ${signal}`);
          assert.equal(cli.exitCode, 0, `exit code after ${signal}; stderr: ${cli.stderr}`);
          assert.ok(await client.waitForClose(2000), "the idle connection was not closed");
        } finally {
          client.destroy();
        }
        await assert.rejects(
          new Promise((resolve, reject) => {
            const socket = net.connect({ port, host: "127.0.0.1" }, () => {
              socket.destroy();
              resolve(undefined);
            });
            socket.once("error", reject);
          }),
          "the port still accepts connections",
        );
      });
    }
  });

  describe("graceful stop", () => {
    it("SIGTERM lets an in-flight download finish, then exits 0", async () => {
      const { cli, port } = await start([tree.root, "-p", "0", "--quiet"]);
      const total = 32 * 1024 * 1024;
      const socket = net.connect({ port, host: "127.0.0.1" });
      const received = await new Promise<number>((resolve, reject) => {
        let head = Buffer.alloc(0);
        let body = -1;
        let sincePause = 0;
        socket.once("error", reject);
        socket.on("close", () => resolve(body));
        socket.on("data", (chunk: Buffer) => {
          if (body < 0) {
            head = Buffer.concat([head, chunk]);
            const end = head.indexOf("\r\n\r\n");
            if (end === -1) return;
            body = head.length - end - 4;
            cli.signal("SIGTERM"); // the response has begun
          } else body += chunk.length;
          sincePause += chunk.length;
          if (body >= total) return socket.end();
          if (sincePause >= 2 * 1024 * 1024) {
            sincePause = 0;
            socket.pause();
            setTimeout(() => socket.resume(), 100);
          }
        });
        socket.write("GET /huge.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-33554431\r\n\r\n");
      });
      assert.equal(received, total, "the in-flight response was cut short");
      assert.ok(await cli.until(() => !cli.running, 15_000), "still running 15 s after SIGTERM");
      assert.equal(cli.exitCode, 0, cli.stderr);
    });

    it("SIGTERM with a stalled client still exits 0 within 30 s", { timeout: 60_000 }, async () => {
      const { cli, port } = await start([tree.root, "-p", "0", "--quiet"]);
      const socket = net.connect({ port, host: "127.0.0.1" });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.once("data", () => {
            socket.pause(); // and never read again
            resolve();
          });
          socket.write("GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n");
        });
        cli.signal("SIGTERM");
        assert.ok(await cli.until(() => !cli.running, 30_000), "a client that stopped reading keeps the server from exiting");
        assert.equal(cli.exitCode, 0, cli.stderr);
      } finally {
        socket.destroy();
      }
    });
  });

  describe("built CLI", () => {
    it("dist/cli/sockserve.js serves too", { skip: !existsSync(CLI_DIST) && "dist/cli/sockserve.js is not built" }, async () => {
      const { url } = await start([tree.root, "-p", "0", "--quiet"], { dist: true });
      const res = await fetch(new URL("a.txt", url));
      assert.equal(await res.text(), FILES["site/a.txt"]);
    });
  });
});
