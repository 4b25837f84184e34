// The built app (build/todo/main.js) with --tls-cert and --tls-key: it prints an https URL and
// answers over TLS, where ALPN picks h2 (node:http2's client as the peer, trusting the test's
// certificate); one flag without the other stops it with a message and exit 1.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from "node:http2";
import path from "node:path";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { startTodo, tempDir, type TempDir, type TodoChild } from "../support/todo-child.js";

/** request sends one request on the session and returns the status and the body as text. */
function request(session: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let text = "";
    stream.on("response", (h: IncomingHttpHeaders) => (status = Number(h[":status"])));
    stream.setEncoding("utf8").on("data", (s: string) => (text += s));
    stream.on("end", () => resolve({ status, text }));
    stream.on("error", reject);
    stream.end(body);
  });
}

describe("Todo app over TLS (--tls-cert, --tls-key)", { timeout: 60_000 }, () => {
  let dir: TempDir;
  let cert: Cert;
  const children: TodoChild[] = [];

  before(async () => {
    dir = await tempDir();
    cert = makeCert(dir.dir, "todo", "localhost");
  });
  after(async () => {
    for (const child of children) if (!child.exited) await child.stop("SIGKILL").catch(() => {});
    await dir?.remove();
  });

  it("prints an https URL and serves the page and the API over h2", async () => {
    const app = await startTodo({ TODO_DB: path.join(dir.dir, "todo.db") }, 20_000, ["--tls-cert", cert.certFile, "--tls-key", cert.keyFile]);
    children.push(app);
    assert.match(app.base, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const session = connect(app.base, { ca: cert.cert });
    try {
      await new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
      assert.equal(session.alpnProtocol, "h2");
      const created = await request(session, { ":method": "POST", ":path": "/api/todos", "content-type": "application/json" }, JSON.stringify({ title: "over TLS" }));
      assert.equal(created.status, 201, created.text);
      const page = await request(session, { ":method": "GET", ":path": "/" });
      assert.equal(page.status, 200);
      assert.match(page.text, /over TLS/);
    } finally {
      session.close();
    }
    assert.deepEqual(await app.stop(), { code: 0, signal: null });
  });

  it("stops with a message when --tls-cert comes without --tls-key", async () => {
    await assert.rejects(startTodo({ TODO_DB: path.join(dir.dir, "todo.db") }, 20_000, ["--tls-cert", cert.certFile]), /exited before listening \(code 1[^]*--tls-cert and --tls-key go together/);
  });
});
