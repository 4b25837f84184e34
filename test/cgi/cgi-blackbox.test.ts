// cgi() from the outside: real shell and Python scripts written into a temp directory, served over
// TCP on 127.0.0.1, with curl, fetch and raw sockets as clients. Bodies up to 16 MiB (length and
// chunked), Status, local and client redirects, NPH, timeouts, crashes, bad output, stderr, client
// aborts, the concurrency limit, traversal and the environment allow-list. Kill tests check the
// PIDs the scripts recorded are gone, grandchildren included.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { curl, parseCurlHeaders, rawRequest } from "../support/static-fixture.js";
import { RawClient } from "../support/raw.js";
import { killIfAlive, makeCgiTree, type ScriptEntry, parseEnvDump, pidAlive, readPid, startCgi, waitUntil, type CgiServer, type CgiTree } from "../support/cgi-fixture.js";

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const SECRET_MARK = `SECRET-RAN-${randomBytes(6).toString("hex")}`;

/** scripts builds the script tree; `pids` and `marks` are absolute directories the scripts write to. */
function scripts(pids: string, marks: string): Record<string, ScriptEntry> {
  const sh = (body: string) => `#!/bin/sh\n${body}\n`;
  const py = (body: string) => `#!/usr/bin/python3\n${body}\n`;
  return {
    "pids/.keep": { text: "", mode: 0o644 },
    "marks/.keep": { text: "", mode: 0o644 },
    // Documents
    "cgi-bin/hello.sh": sh(`printf 'Content-Type: text/plain\\r\\nX-Method: %s\\r\\n\\r\\nhello from sh\\n' "$REQUEST_METHOD"`),
    "cgi-bin/hello.py": py(`import sys\nsys.stdout.write("Content-Type: text/plain; charset=utf-8\\n\\nhello from python \\u00e9\\n")`),
    "cgi-bin/env.sh": sh(`printf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv`),
    "cgi-bin/env.py": py(`import json, os, sys\nsys.stdout.write("Content-Type: application/json\\r\\n\\r\\n")\nsys.stdout.write(json.dumps(dict(os.environ)))`),
    // Bodies: the shell one hashes stdin with sha256sum; the Python ones read to EOF or exactly CONTENT_LENGTH.
    "cgi-bin/sha.sh": sh(`printf 'Content-Type: text/plain\\r\\n\\r\\n'\nsha256sum | cut -d' ' -f1\necho "\${CONTENT_LENGTH-unset}"`),
    "cgi-bin/sha.py": py([
      "import hashlib, os, sys",
      "data = sys.stdin.buffer.read()",
      'sys.stdout.write("Content-Type: text/plain\\n\\n")',
      'sys.stdout.write("%s %d %s\\n" % (hashlib.sha256(data).hexdigest(), len(data), os.environ.get("CONTENT_LENGTH", "unset")))',
    ].join("\n")),
    "cgi-bin/read-length.py": py([
      "import hashlib, os, sys",
      'data = sys.stdin.buffer.read(int(os.environ["CONTENT_LENGTH"]))',
      'sys.stdout.write("Content-Type: text/plain\\n\\n%s %d\\n" % (hashlib.sha256(data).hexdigest(), len(data)))',
    ].join("\n")),
    // Status and redirects
    "cgi-bin/teapot.sh": sh(`printf "Status: 418 I'm a teapot\\r\\nContent-Type: text/plain\\r\\n\\r\\nshort and stout\\n"`),
    "cgi-bin/local.sh": sh(`cat >/dev/null\nprintf 'Location: /cgi-bin/other.sh?from=local\\r\\nX-Dropped: yes\\r\\n\\r\\n'`),
    "cgi-bin/other.sh": sh(`printf 'Content-Type: text/plain\\r\\nX-Other: 1\\r\\n\\r\\nother says %s %s %s\\n' "$REQUEST_METHOD" "$QUERY_STRING" "\${CONTENT_LENGTH-unset}"`),
    "cgi-bin/self-redirect.sh": sh(`printf 'Location: /cgi-bin/self-redirect.sh\\r\\n\\r\\n'`),
    "cgi-bin/away.sh": sh(`printf 'Location: http://example.com/\\r\\n\\r\\n'`),
    "cgi-bin/moved.sh": sh(`printf 'Status: 301 Moved Permanently\\r\\nLocation: https://example.com/new\\r\\nContent-Type: text/html\\r\\n\\r\\n<a href="https://example.com/new">moved</a>\\n'`),
    "cgi-bin/nph-hello.sh": sh(`printf 'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nX-Nph: yes\\r\\nContent-Length: 9\\r\\nConnection: close\\r\\n\\r\\nnph body\\n'`),
    // Failures
    "cgi-bin/crash.sh": sh(`echo "about to crash" >&2\nexit 1`),
    "cgi-bin/crash-partial.sh": sh(`printf 'Content-Type: text/plain\\r\\n'\nexit 3`),
    "cgi-bin/malformed.sh": sh(`printf 'This is not a header\\r\\n\\r\\nbody\\n'`),
    "cgi-bin/no-type.sh": sh(`printf 'X-Foo: bar\\r\\n\\r\\nbody\\n'`),
    "cgi-bin/status-body-no-type.sh": sh(`printf 'Status: 404 Not Found\\r\\n\\r\\nbody\\n'`),
    "cgi-bin/status-only.sh": sh(`printf 'Status: 410 Gone\\r\\nX-Why: retired\\r\\n\\r\\n'`),
    "cgi-bin/huge-head.py": py(`import sys\nsys.stdout.write("Content-Type: text/plain\\r\\n" + "X-Pad: " + "a" * 200000 + "\\r\\n\\r\\nbody")`),
    "cgi-bin/stderr.sh": sh(`echo "warning: first line" >&2\necho "second line" >&2\nprintf 'Content-Type: text/plain\\r\\n\\r\\nok\\n'`),
    // Long runners: each writes its PID (and a grandchild's) where the test can find it.
    "cgi-bin/sleepy.sh": sh(`sleep 300 &\necho $! > ${pids}/sleepy-child.pid\necho $$ > ${pids}/sleepy.pid\nsleep 30`),
    "cgi-bin/stuck-body.sh": sh(`sleep 300 &\necho $! > ${pids}/stuck-child.pid\necho $$ > ${pids}/stuck.pid\nprintf 'Content-Type: text/plain\\r\\n\\r\\npartial\\n'\nsleep 30`),
    "cgi-bin/loop.sh": sh(`echo $$ > ${pids}/loop.pid\nwhile :; do sleep 0.1; done`),
    "cgi-bin/ticker.sh": sh(`sleep 300 &\necho $! > ${pids}/ticker-child.pid\necho $$ > ${pids}/ticker.pid\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nwhile :; do echo tick; sleep 0.05; done`),
    "cgi-bin/linger.sh": sh(`printf 'Content-Type: text/plain\\r\\n\\r\\ndone\\n'\nexec >&-\nsleep 0.2`),
    "cgi-bin/slow.sh": sh(`echo $$ >> ${pids}/slow.pids\nsleep 1.5\nprintf 'Content-Type: text/plain\\r\\n\\r\\nslow done\\n'`),
    // Traversal targets: scripts outside the CGI directory must never run.
    "secret.sh": sh(`touch ${marks}/secret-ran\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${SECRET_MARK}\\n'`),
    "outside/inner.sh": sh(`touch ${marks}/inner-ran\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${SECRET_MARK}\\n'`),
    "cgi-bin/link-out.sh": { symlink: "../secret.sh" },
    "cgi-bin/link-out-dir": { symlink: "../outside" },
    "cgi-bin/link-in.sh": { symlink: "hello.sh" },
    "cgi-bin/.hidden.sh": sh(`touch ${marks}/hidden-ran\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${SECRET_MARK}\\n'`),
    "cgi-bin/noexec.sh": { text: sh(`touch ${marks}/noexec-ran\nprintf 'Content-Type: text/plain\\r\\n\\r\\n${SECRET_MARK}\\n'`), mode: 0o644 },
    "cgi-bin/subdir/inner.sh": sh(`printf 'Content-Type: text/plain\\r\\n\\r\\nnested %s\\n' "$SCRIPT_NAME"`),
    "cgi-bin/emptydir": { dir: true },
  };
}

/** pick keeps the named entries of a script tree. */
function pick(all: Record<string, ScriptEntry>, names: string[]): Record<string, ScriptEntry> {
  return Object.fromEntries(names.map((name) => [name, all[name]]));
}

describe("cgi() black box", () => {
  let tree: CgiTree;
  let site: CgiServer;
  let pids: string;
  let marks: string;

  before(async () => {
    tree = await makeCgiTree((file) => scripts(file("pids"), file("marks")));
    pids = tree.file("pids");
    marks = tree.file("marks");
    site = await startCgi({ dir: tree.dir });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  const url = (path: string) => `${site.origin}${path}`;

  describe("documents", () => {
    it("GET a shell script with curl and fetch", async () => {
      const c = await curl(["-i", url("/cgi-bin/hello.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const text = c.stdout.toString("latin1");
      const { status, headers } = parseCurlHeaders(text);
      assert.equal(status, 200);
      assert.deepEqual(headers.get("content-type"), ["text/plain"]);
      assert.deepEqual(headers.get("x-method"), ["GET"]);
      assert.ok(text.endsWith("\r\n\r\nhello from sh\n"), JSON.stringify(text));

      const res = await fetch(url("/cgi-bin/hello.sh"));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "hello from sh\n");
    });

    it("GET a Python script (bare LF header end, UTF-8 body)", async () => {
      const res = await fetch(url("/cgi-bin/hello.py"));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await res.text(), "hello from python é\n");
    });

    it("HEAD runs the script but sends no body (curl -I and fetch)", async () => {
      const c = await curl(["-I", url("/cgi-bin/hello.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const text = c.stdout.toString("latin1");
      assert.equal(parseCurlHeaders(text).status, 200);
      assert.deepEqual(parseCurlHeaders(text).headers.get("x-method"), ["HEAD"]);
      assert.ok(!text.includes("hello from sh"), "a HEAD response carried a body");

      const res = await fetch(url("/cgi-bin/hello.sh"), { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-method"), "HEAD");
      assert.equal((await res.arrayBuffer()).byteLength, 0);

      // On the wire: nothing after the head, and the connection stays usable.
      const client = await RawClient.connect(site.port);
      try {
        await client.write(`HEAD /cgi-bin/hello.sh HTTP/1.1\r\nHost: x\r\n\r\nGET /cgi-bin/hello.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
        const [head, get] = await client.waitForResponses(2, { methods: ["HEAD", "GET"], timeoutMs: 5000 });
        assert.equal(head.status, 200);
        assert.equal(head.body.length, 0);
        assert.equal(get.status, 200);
        assert.equal(get.body.toString("latin1"), "hello from sh\n");
      } finally {
        client.destroy();
      }
    });

    it("keeps the connection alive across CGI responses (curl reuses it)", async () => {
      const c = await curl(["-v", url("/cgi-bin/hello.sh"), url("/cgi-bin/hello.py")]);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.stdout.toString("utf8"), "hello from sh\nhello from python é\n");
      assert.match(c.stderr, /Re-using existing connection/);
    });

    it("gives the script the request's meta-variables over real TCP", async () => {
      const c = await curl([
        "-u", "alice:pw",
        "-H", "Proxy: http://evil.example:8888",
        "-H", "X-Multi: one",
        "-H", "X-Multi: two",
        url("/cgi-bin/env.py/a%20b/c%C3%A9?x=%20y&a=b?c=d"),
      ]);
      assert.equal(c.code, 0, c.stderr);
      const env = JSON.parse(c.stdout.toString("utf8")) as Record<string, string>;
      assert.equal(env.GATEWAY_INTERFACE, "CGI/1.1");
      assert.equal(env.REQUEST_METHOD, "GET");
      assert.equal(env.SCRIPT_NAME, "/cgi-bin/env.py");
      assert.equal(env.SCRIPT_FILENAME, tree.file("cgi-bin/env.py"));
      assert.equal(env.PATH_INFO, "/a b/cé");
      assert.equal(env.PATH_TRANSLATED, `${tree.base}/a b/cé`, "the document root defaults to the parent of dir");
      assert.equal(env.QUERY_STRING, "x=%20y&a=b?c=d");
      assert.equal(env.REQUEST_URI, "/cgi-bin/env.py/a%20b/c%C3%A9?x=%20y&a=b?c=d");
      assert.equal(env.SERVER_NAME, "127.0.0.1");
      assert.equal(env.SERVER_PORT, String(site.port));
      assert.equal(env.SERVER_PROTOCOL, "HTTP/1.1");
      assert.equal(env.REMOTE_ADDR, "127.0.0.1");
      assert.match(env.REMOTE_PORT ?? "", /^\d+$/);
      assert.equal(env.AUTH_TYPE, "Basic");
      assert.equal(env.REMOTE_USER, "alice");
      assert.equal(env.HTTP_AUTHORIZATION, undefined);
      assert.equal(env.HTTP_PROXY, undefined, "httpoxy");
      assert.equal(env.HTTP_X_MULTI, "one, two");
      assert.match(env.HTTP_USER_AGENT ?? "", /^curl\//);
      assert.equal(env.CONTENT_LENGTH, undefined);
      assert.equal(env.HTTPS, undefined);
    });

    it("runs a script in a subdirectory, and one reached by a symlink inside the directory", async () => {
      const nested = await fetch(url("/cgi-bin/subdir/inner.sh"));
      assert.equal(nested.status, 200);
      assert.equal(await nested.text(), "nested /cgi-bin/subdir/inner.sh\n");
      const linked = await fetch(url("/cgi-bin/link-in.sh"));
      assert.equal(linked.status, 200);
      assert.equal(await linked.text(), "hello from sh\n");
    });
  });

  describe("request bodies", () => {
    let small: Buffer;
    let large: Buffer;
    let smallFile: string;
    let largeFile: string;
    before(async () => {
      small = randomBytes(32 * 1024);
      large = randomBytes(16 * 1024 * 1024);
      smallFile = tree.file("small.bin");
      largeFile = tree.file("large.bin");
      await writeFile(smallFile, small);
      await writeFile(largeFile, large);
    });

    for (const [label, size] of [["32 KiB", 32 * 1024], ["16 MiB", 16 * 1024 * 1024]] as const) {
      it(`POST ${label} with curl to a shell script: sha256 and CONTENT_LENGTH match`, async () => {
        const body = size === small.length ? small : large;
        const c = await curl(["--data-binary", `@${size === small.length ? smallFile : largeFile}`, "-H", "Content-Type: application/octet-stream", url("/cgi-bin/sha.sh")], 60);
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.stdout.toString("utf8"), `${sha256(body)}\n${size}\n`);
      });

      it(`POST ${label} with fetch to a Python script reading to EOF`, async () => {
        const body = size === small.length ? small : large;
        const res = await fetch(url("/cgi-bin/sha.py"), { method: "POST", body });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), `${sha256(body)} ${size} ${size}\n`);
      });

      it(`POST ${label} to a Python script reading exactly CONTENT_LENGTH bytes`, async () => {
        const body = size === small.length ? small : large;
        const res = await fetch(url("/cgi-bin/read-length.py"), { method: "POST", body });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), `${sha256(body)} ${size}\n`);
      });
    }

    it("a chunked POST (curl -H 'Transfer-Encoding: chunked'): the script sees it all, and no CONTENT_LENGTH", async () => {
      for (const [file, body] of [[smallFile, small], [largeFile, large]] as const) {
        const sh = await curl(["-H", "Transfer-Encoding: chunked", "--data-binary", `@${file}`, url("/cgi-bin/sha.sh")], 60);
        assert.equal(sh.code, 0, sh.stderr);
        assert.equal(sh.stdout.toString("utf8"), `${sha256(body)}\nunset\n`);
        const py = await curl(["-H", "Transfer-Encoding: chunked", "--data-binary", `@${file}`, url("/cgi-bin/sha.py")], 60);
        assert.equal(py.code, 0, py.stderr);
        assert.equal(py.stdout.toString("utf8"), `${sha256(body)} ${body.length} unset\n`);
      }
    });

    it("a streamed fetch body (chunked) arrives whole", async () => {
      const parts = [randomBytes(1000), randomBytes(70_000), randomBytes(3)];
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          for (const part of parts) {
            controller.enqueue(part);
            await new Promise((r) => setTimeout(r, 20));
          }
          controller.close();
        },
      });
      const res = await fetch(url("/cgi-bin/sha.py"), { method: "POST", body: stream, duplex: "half" });
      const all = Buffer.concat(parts);
      assert.equal(await res.text(), `${sha256(all)} ${all.length} unset\n`);
    });

    // Each time the script's stdin is full, the gateway waits for "drain" (or "close"); the waits
    // must not pile listeners onto the pipe (MaxListenersExceededWarning is Node's leak detector).
    it("a 16 MiB upload to a script that reads slowly leaks no listeners", async () => {
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on("warning", onWarning);
      try {
        const c = await curl(["--data-binary", `@${largeFile}`, url("/cgi-bin/sha.sh")], 60);
        assert.equal(c.stdout.toString("utf8"), `${sha256(large)}\n${large.length}\n`);
        await new Promise((r) => setImmediate(r));
      } finally {
        process.off("warning", onWarning);
      }
      const leaks = warnings.filter((w) => w.name === "MaxListenersExceededWarning");
      assert.deepEqual(leaks.map((w) => w.message), [], "listeners pile up on the script's stdin");
    });

    it("an empty POST has CONTENT_LENGTH 0", async () => {
      const res = await fetch(url("/cgi-bin/sha.py"), { method: "POST", body: "" });
      assert.equal(await res.text(), `${sha256(Buffer.alloc(0))} 0 0\n`);
    });
  });

  describe("status and redirects", () => {
    it("Status: 418 with its reason phrase", async () => {
      const c = await curl(["-i", url("/cgi-bin/teapot.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const text = c.stdout.toString("latin1");
      assert.match(text, /^HTTP\/1\.1 418 I'm a teapot\r\n/);
      assert.ok(!/^status:/im.test(text), "Status was sent on as a header field");
      assert.ok(text.endsWith("short and stout\n"));
      const res = await fetch(url("/cgi-bin/teapot.sh"));
      assert.equal(res.status, 418);
      assert.equal(res.statusText, "I'm a teapot");
    });

    it("a local redirect is served inside the server: the client sees the other script, no 3xx", async () => {
      const c = await curl(["-i", url("/cgi-bin/local.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const text = c.stdout.toString("latin1");
      const { status, headers } = parseCurlHeaders(text);
      assert.equal(status, 200);
      assert.equal(headers.get("location"), undefined);
      assert.equal(headers.get("x-dropped"), undefined, "the redirecting script's fields leaked");
      assert.deepEqual(headers.get("x-other"), ["1"]);
      assert.ok(text.endsWith("other says GET from=local unset\n"), JSON.stringify(text));
    });

    it("a local redirect after a POST becomes a GET without the body", async () => {
      const res = await fetch(url("/cgi-bin/local.sh"), { method: "POST", body: "a=1&b=2", headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "other says GET from=local unset\n");
    });

    it("a local redirect loop ends with an error, not a hang", async () => {
      const res = await fetch(url("/cgi-bin/self-redirect.sh"), { signal: AbortSignal.timeout(10_000) });
      assert.ok(res.status >= 500, `status ${res.status}`);
      await res.arrayBuffer();
    });

    it("an absolute Location is a 302 to the client", async () => {
      const c = await curl(["-i", url("/cgi-bin/away.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const { status, headers } = parseCurlHeaders(c.stdout.toString("latin1"));
      assert.equal(status, 302);
      assert.deepEqual(headers.get("location"), ["http://example.com/"]);
      const res = await fetch(url("/cgi-bin/away.sh"), { redirect: "manual" });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get("location"), "http://example.com/");
    });

    it("an absolute Location with its own Status and document", async () => {
      const res = await fetch(url("/cgi-bin/moved.sh"), { redirect: "manual" });
      assert.equal(res.status, 301);
      assert.equal(res.headers.get("location"), "https://example.com/new");
      assert.equal(await res.text(), '<a href="https://example.com/new">moved</a>\n');
    });

    it("an NPH script writes the whole response itself", async () => {
      const c = await curl(["-i", url("/cgi-bin/nph-hello.sh")]);
      assert.equal(c.code, 0, c.stderr);
      const text = c.stdout.toString("latin1");
      assert.equal(text, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Nph: yes\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnph body\n");
      const raw = await rawRequest(site.port, "/cgi-bin/nph-hello.sh");
      assert.equal(raw.data.toString("latin1"), text, "the server added or changed bytes of an NPH response");
      const res = await fetch(url("/cgi-bin/nph-hello.sh"));
      assert.equal(res.headers.get("x-nph"), "yes");
      assert.equal(await res.text(), "nph body\n");
    });
  });

  describe("failures", () => {
    it("a crash before the header block is a 502, and the crash is logged", async () => {
      const res = await fetch(url("/cgi-bin/crash.sh"));
      assert.equal(res.status, 502);
      await res.arrayBuffer();
      assert.ok(await waitUntil(() => site.logs.some((l) => l.includes("crash.sh") && l.includes("about to crash")), 2000), site.logs.join("\n"));
      assert.ok(await waitUntil(() => site.logs.some((l) => l.includes("crash.sh") && /status 1\b/.test(l)), 2000), site.logs.join("\n"));
    });

    it("a crash in the middle of the header block is a 502", async () => {
      const res = await fetch(url("/cgi-bin/crash-partial.sh"));
      assert.equal(res.status, 502);
      await res.arrayBuffer();
    });

    it("a malformed header line is a 502 that does not echo the script's output", async () => {
      const res = await fetch(url("/cgi-bin/malformed.sh"));
      assert.equal(res.status, 502);
      assert.ok(!(await res.text()).includes("body"));
    });

    it("a document without Content-Type is a 502", async () => {
      const res = await fetch(url("/cgi-bin/no-type.sh"));
      assert.equal(res.status, 502);
      await res.arrayBuffer();
    });

    it("a Status with a body but no Content-Type is a 502", async () => {
      const res = await fetch(url("/cgi-bin/status-body-no-type.sh"));
      assert.equal(res.status, 502);
      assert.ok(!(await res.text()).includes("body"));
    });

    it("a Status alone, no Content-Type and no body, passes through with Content-Length: 0", async () => {
      const { response } = await rawRequest(site.port, "/cgi-bin/status-only.sh");
      assert.equal(response.status, 410);
      assert.equal(response.get("x-why"), "retired");
      assert.equal(response.get("content-length"), "0");
      assert.equal(response.get("content-type"), undefined);
      assert.equal(response.body.length, 0);
    });

    it("an over-long header block is a 502", async () => {
      const res = await fetch(url("/cgi-bin/huge-head.py"));
      assert.equal(res.status, 502);
      await res.arrayBuffer();
    });

    it("the server still answers after all of that", async () => {
      const res = await fetch(url("/cgi-bin/hello.sh"));
      assert.equal(await res.text(), "hello from sh\n");
    });

    it("stderr lines reach the logger, tagged with the script name", async () => {
      const res = await fetch(url("/cgi-bin/stderr.sh"));
      assert.equal(await res.text(), "ok\n");
      const tagged = (text: string) => site.logs.some((l) => l.includes("/cgi-bin/stderr.sh") && l.endsWith(text));
      assert.ok(await waitUntil(() => tagged("warning: first line") && tagged("second line"), 2000), site.logs.join("\n"));
      const first = site.logs.findIndex((l) => l.endsWith("warning: first line"));
      const second = site.logs.findIndex((l) => l.endsWith("second line"));
      assert.ok(first < second, "stderr lines out of order");
    });
  });

  describe("client aborts", () => {
    it("a client that disconnects before the header block kills the script", async () => {
      const client = await RawClient.connect(site.port);
      let pid: number | undefined;
      try {
        await client.write("GET /cgi-bin/loop.sh HTTP/1.1\r\nHost: x\r\n\r\n");
        pid = await readPid(`${pids}/loop.pid`);
        assert.ok(pidAlive(pid), "the script is not running");
        client.destroy();
        assert.ok(await waitUntil(() => !pidAlive(pid!), 5000), `script ${pid} still runs after the client left`);
        assert.ok(await waitUntil(() => site.logs.some((l) => l.includes("loop.sh") && l.includes("killed")), 2000), site.logs.join("\n"));
      } finally {
        client.destroy();
        killIfAlive(pid);
      }
    });

    it("a client that disconnects while the body streams kills the script and its children", async () => {
      const client = await RawClient.connect(site.port);
      let pid: number | undefined;
      let child: number | undefined;
      try {
        await client.write("GET /cgi-bin/ticker.sh HTTP/1.1\r\nHost: x\r\n\r\n");
        pid = await readPid(`${pids}/ticker.pid`);
        child = await readPid(`${pids}/ticker-child.pid`);
        assert.ok(await client.until(() => client.text.split("tick").length > 3, 5000), "no ticks arrived");
        assert.match(client.text, /^HTTP\/1\.1 200 /);
        client.destroy();
        assert.ok(await waitUntil(() => !pidAlive(pid!) && !pidAlive(child!), 5000), `script ${pid} or its child ${child} still runs`);
      } finally {
        client.destroy();
        killIfAlive(pid);
        killIfAlive(child);
      }
    });
  });

  describe("traversal and refusals", () => {
    const REFUSED = new Set([400, 404]);
    const TARGETS = [
      "/cgi-bin/../secret.sh",
      "/cgi-bin/%2e%2e/secret.sh",
      "/cgi-bin/%2E%2E/secret.sh",
      "/cgi-bin/.%2e/secret.sh",
      "/cgi-bin/..%2fsecret.sh",
      "/cgi-bin/%2e%2e%2fsecret.sh",
      "/cgi-bin/%2e%2e%2Fsecret.sh",
      "/cgi-bin/subdir/..%2f..%2fsecret.sh",
      "/cgi-bin/subdir/../../secret.sh",
      "/cgi-bin/..\\secret.sh",
      "/cgi-bin/..%5csecret.sh",
      "/cgi-bin//../secret.sh",
      "/cgi-bin/./../secret.sh",
      "/cgi-bin/link-out.sh",
      "/cgi-bin/link-out.sh/extra",
      "/cgi-bin/link-out-dir/inner.sh",
      "/cgi-bin/.hidden.sh",
      "/cgi-bin/%2ehidden.sh",
      "/cgi-bin/hello.sh%00.txt",
      "/cgi-bin%2f..%2fsecret.sh",
    ];
    for (const target of TARGETS) {
      it(`${target} is refused (raw socket) and nothing outside runs`, async () => {
        const { response } = await rawRequest(site.port, target);
        assert.ok(REFUSED.has(response.status), `status ${response.status}`);
        assert.ok(!response.body.toString("latin1").includes(SECRET_MARK), "an outside script ran");
      });
    }

    it("curl --path-as-is traversal is refused", async () => {
      for (const target of ["/cgi-bin/../secret.sh", "/cgi-bin/%2e%2e/secret.sh", "/cgi-bin/link-out-dir/../../secret.sh"]) {
        const c = await curl(["--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", url(target)]);
        assert.ok(REFUSED.has(Number(c.stdout.toString())), `${target}: ${c.stdout.toString()}`);
      }
    });

    it("a file without the execute bit is 403 and never runs", async () => {
      const res = await fetch(url("/cgi-bin/noexec.sh"));
      assert.equal(res.status, 403);
      assert.ok(!(await res.text()).includes(SECRET_MARK));
    });

    it("a directory is 404", async () => {
      for (const target of ["/cgi-bin", "/cgi-bin/", "/cgi-bin/subdir", "/cgi-bin/subdir/", "/cgi-bin/emptydir", "/cgi-bin/emptydir/x"]) {
        const res = await fetch(url(target));
        assert.equal(res.status, 404, target);
        await res.arrayBuffer();
      }
    });

    it("a missing script and a path outside the mount are 404", async () => {
      for (const target of ["/cgi-bin/nope.sh", "/cgi-bin/nope.sh/x", "/secret.sh", "/cgi-binx/hello.sh", "/"]) {
        const res = await fetch(url(target));
        assert.equal(res.status, 404, target);
        await res.arrayBuffer();
      }
    });

    it("none of the refused scripts ever ran", () => {
      for (const mark of ["secret-ran", "inner-ran", "hidden-ran", "noexec-ran"]) {
        assert.ok(!existsSync(`${marks}/${mark}`), `${mark}: a script that must not run ran`);
      }
    });
  });

  it("the server's own logger saw no handler faults through all of the above", () => {
    assert.deepEqual(site.faults.map(String), []);
  });
});

describe("cgi() timeouts", () => {
  let tree: CgiTree;
  let site: CgiServer;
  let pids: string;

  before(async () => {
    tree = await makeCgiTree((file) => pick(scripts(file("pids"), file("marks")), ["pids/.keep", "cgi-bin/sleepy.sh", "cgi-bin/stuck-body.sh", "cgi-bin/hello.sh"]));
    pids = tree.file("pids");
    site = await startCgi({ dir: tree.dir, timeout: 1 });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  it("a script silent past the timeout gets 504, and its whole process group is killed", async () => {
    let pid: number | undefined;
    let child: number | undefined;
    try {
      const started = Date.now();
      const pending = fetch(`${site.origin}/cgi-bin/sleepy.sh`, { signal: AbortSignal.timeout(15_000) });
      pid = await readPid(`${pids}/sleepy.pid`);
      child = await readPid(`${pids}/sleepy-child.pid`);
      assert.ok(pidAlive(child), "the grandchild did not start");
      const res = await pending;
      const elapsed = Date.now() - started;
      assert.equal(res.status, 504);
      await res.arrayBuffer();
      assert.ok(elapsed >= 900 && elapsed < 10_000, `answered after ${elapsed} ms`);
      assert.ok(await waitUntil(() => !pidAlive(pid!), 3000), `script ${pid} survived the timeout`);
      assert.ok(await waitUntil(() => !pidAlive(child!), 3000), `grandchild ${child} (sleep 300 &) survived the timeout`);
      assert.ok(site.logs.some((l) => l.includes("sleepy.sh") && l.includes("timed out")), site.logs.join("\n"));
    } finally {
      killIfAlive(pid);
      killIfAlive(child);
    }
  });

  // Once the header block is out, a 504 is no longer possible. The body was cut short, so the
  // response must not claim to be complete: no last chunk, and the connection closes (RFC 9112
  // §7.1: chunked framing is how the recipient knows it has the whole message).
  it("a script that hangs after its header block is killed; the response ends, marked incomplete", async () => {
    let pid: number | undefined;
    let child: number | undefined;
    const client = await RawClient.connect(site.port);
    try {
      await client.write("GET /cgi-bin/stuck-body.sh HTTP/1.1\r\nHost: x\r\n\r\n");
      pid = await readPid(`${pids}/stuck.pid`);
      child = await readPid(`${pids}/stuck-child.pid`);
      assert.ok(await client.until(() => client.text.includes("partial\n"), 5000), `no partial body: ${JSON.stringify(client.text)}`);
      assert.match(client.text, /^HTTP\/1\.1 200 /);
      assert.ok(await waitUntil(() => !pidAlive(pid!) && !pidAlive(child!), 5000), `script ${pid} or grandchild ${child} survived the timeout`);
      const closed = await client.waitForClose(5000);
      const text = client.text;
      assert.ok(!/\r\n0\r\n\r\n$/.test(text), `the truncated body was ended with a last chunk, as if complete: ${JSON.stringify(text)}`);
      assert.ok(closed, "the connection stayed open after a truncated response");
    } finally {
      client.destroy();
      killIfAlive(pid);
      killIfAlive(child);
    }
  });

  it("a quick script is unaffected", async () => {
    const res = await fetch(`${site.origin}/cgi-bin/hello.sh`);
    assert.equal(await res.text(), "hello from sh\n");
  });
});

describe("cgi() concurrency limit", () => {
  let tree: CgiTree;
  let site: CgiServer;
  let pids: string;

  before(async () => {
    tree = await makeCgiTree((file) => ({
      ...pick(scripts(file("pids"), file("marks")), ["pids/.keep", "cgi-bin/slow.sh", "cgi-bin/hello.sh", "cgi-bin/linger.sh"]),
    }));
    pids = tree.file("pids");
    site = await startCgi({ dir: tree.dir, maxConcurrent: 1 });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  const runs = async () => (await readFile(`${pids}/slow.pids`, "utf8").catch(() => "")).split("\n").filter(Boolean).map(Number);

  it("with maxConcurrent 1, of two concurrent slow requests one gets 503", async () => {
    const get = async () => {
      const res = await fetch(`${site.origin}/cgi-bin/slow.sh`, { signal: AbortSignal.timeout(15_000) });
      return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() };
    };
    const results = await Promise.all([get(), get()]);
    results.sort((a, b) => a.status - b.status);
    assert.deepEqual(results.map((r) => r.status), [200, 503]);
    assert.equal(results[0].body, "slow done\n");
    assert.equal(results[1].retryAfter, "1");
    assert.equal((await runs()).length, 1, "the refused request still ran its script");
  });

  // A client that waits for each response before sending the next never exceeds the limit, so it
  // must never be refused: by the time a response has ended, its script's slot must be free.
  const sequential = async (script: string, count: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${site.origin}/cgi-bin/${script}`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    const refused = statuses.filter((s) => s !== 200).length;
    assert.equal(refused, 0, `${refused} of ${count} sequential requests were refused: ${statuses.join(" ")}`);
  };

  it("sequential requests are never refused", () => sequential("hello.sh", 200));

  // The same, made deterministic: the script closes stdout, then takes 200 ms to exit. The response
  // must not end before the script has (as in Go's cgi.Handler, which waits for the process).
  it("sequential requests are never refused, even when a script exits a little after its output", () => sequential("linger.sh", 5));

  it("the slot is freed when a script is killed by a client abort", async () => {
    // Start a slow script and abandon it. (Retry the start while an earlier run is still being reaped.)
    let client: RawClient | undefined;
    const before = (await runs()).length;
    for (let attempt = 0; attempt < 40 && (await runs()).length === before; attempt++) {
      if (client !== undefined) await sleep(50);
      client?.destroy();
      client = await RawClient.connect(site.port);
      client.socket.on("error", () => {});
      await client.write("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: x\r\n\r\n");
      await waitUntil(async () => (await runs()).length > before || client!.finalResponses().length > 0, 3000);
    }
    const all = await runs();
    assert.equal(all.length, before + 1, "the slow script never started");
    const pid = all.at(-1)!;
    client!.destroy();
    assert.ok(await waitUntil(() => !pidAlive(pid), 3000), `script ${pid} survived the abort`);
    // Once the aborted script is gone, the slot is free.
    const ok = await waitUntil(async () => {
      const res = await fetch(`${site.origin}/cgi-bin/hello.sh`);
      await res.arrayBuffer();
      return res.status === 200;
    }, 3000);
    assert.ok(ok, "the slot of an aborted script was never released");
  });
});

describe("cgi() server environment allow-list", () => {
  let tree: CgiTree;
  const secret = `s3cret-${randomBytes(8).toString("hex")}`;
  const saved = process.env.SOCKSERVE_TEST_SECRET;

  before(async () => {
    process.env.SOCKSERVE_TEST_SECRET = secret;
    tree = await makeCgiTree({ "cgi-bin/env.sh": `#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nenv\n` });
  });
  after(async () => {
    if (saved === undefined) delete process.env.SOCKSERVE_TEST_SECRET;
    else process.env.SOCKSERVE_TEST_SECRET = saved;
    await tree?.remove();
  });

  it("by default a script sees PATH but no other server variable", async () => {
    const site = await startCgi({ dir: tree.dir });
    try {
      const text = await (await fetch(`${site.origin}/cgi-bin/env.sh`)).text();
      const env = parseEnvDump(text);
      assert.ok(!text.includes(secret), "the secret reached the script");
      assert.equal(env.get("SOCKSERVE_TEST_SECRET"), undefined);
      assert.equal(env.get("PATH"), process.env.PATH);
      if (process.env.HOME !== undefined) assert.equal(env.get("HOME"), undefined, "HOME leaked");
      assert.equal(env.get("GATEWAY_INTERFACE"), "CGI/1.1");
    } finally {
      await site.stop();
    }
  });

  it('with env: ["SOCKSERVE_TEST_SECRET"] the script sees it', async () => {
    const site = await startCgi({ dir: tree.dir, env: ["SOCKSERVE_TEST_SECRET"] });
    try {
      const env = parseEnvDump(await (await fetch(`${site.origin}/cgi-bin/env.sh`)).text());
      assert.equal(env.get("SOCKSERVE_TEST_SECRET"), secret);
      if (process.env.HOME !== undefined) assert.equal(env.get("HOME"), undefined, "HOME leaked");
    } finally {
      await site.stop();
    }
  });
});
