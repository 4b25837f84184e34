// Python's http.client (through /usr/bin/python3) as the client: several
// requests on one persistent connection, chunked uploads, HEAD and 204.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { startServer, type Server } from "../support/server.js";

const PYTHON = "/usr/bin/python3";

function python(script: string, args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", script, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`python failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`python printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

// One connection, five requests; each result records the peer port the server saw.
const SESSION = String.raw`
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
results = []
def run(method, path, body=None, headers={}, encode_chunked=False):
    conn.request(method, path, body=body, headers=headers, encode_chunked=encode_chunked)
    r = conn.getresponse()
    data = r.read()
    results.append({"status": r.status, "version": r.version, "body": data.decode("utf-8"),
                    "length": r.getheader("Content-Length"), "te": r.getheader("Transfer-Encoding"),
                    "will_close": r.will_close})
run("GET", "/hello?name=py")
run("POST", "/echo", body=b"x" * 70000, headers={"Content-Type": "application/octet-stream"})
run("POST", "/echo", body=iter([b"chunk-one,", b"chunk-two,", b"chunk-three"]), encode_chunked=True)
run("HEAD", "/hello")
run("DELETE", "/empty")
run("GET", "/stream")
print(json.dumps({"results": results, "local_port": conn.sock.getsockname()[1]}))
conn.close()
`;

const CLOSE = String.raw`
import http.client, json, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
conn.request("GET", "/hello", headers={"Connection": "close"})
r = conn.getresponse()
body = r.read().decode()
print(json.dumps({"status": r.status, "body": body, "will_close": r.will_close, "connection": r.getheader("Connection")}))
`;

interface Session {
  results: Array<{ status: number; version: number; body: string; length: string | null; te: string | null; will_close: boolean }>;
  local_port: number;
}

describe("Python http.client against sockserve", { skip: !existsSync(PYTHON) && "no /usr/bin/python3" }, () => {
  let server: Server;
  const peerPorts: number[] = [];
  before(async () => {
    server = await startServer({
      async fetch(request, srv) {
        peerPorts.push(srv.requestIP(request)!.port);
        const url = new URL(request.url);
        switch (url.pathname) {
          case "/hello":
            return new Response(`hello ${url.searchParams.get("name") ?? "anon"}`);
          case "/echo": {
            const body = await request.text();
            return new Response(`${body.length}:${body.slice(0, 40)}:${request.headers.get("transfer-encoding") ?? "length"}`);
          }
          case "/empty":
            return new Response(null, { status: 204 });
          case "/stream": {
            const parts = ["s1,", "s2,", "s3"];
            return new Response(
              new ReadableStream<Uint8Array>({
                pull(controller) {
                  const next = parts.shift();
                  if (next === undefined) controller.close();
                  else controller.enqueue(new TextEncoder().encode(next));
                },
              }),
            );
          }
          default:
            return new Response("missing", { status: 404 });
        }
      },
    });
  });
  after(async () => {
    await server.stop(true);
  });

  it("runs six requests over one persistent connection", async () => {
    peerPorts.length = 0;
    const session = (await python(SESSION, [String(server.port)])) as Session;
    const [hello, big, chunked, head, empty, stream] = session.results;
    assert.deepEqual(hello, { status: 200, version: 11, body: "hello py", length: "8", te: null, will_close: false });
    assert.equal(big.body, `70000:${"x".repeat(40)}:length`);
    assert.equal(chunked.body, `31:chunk-one,chunk-two,chunk-three:chunked`);
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(head.length, String("hello anon".length));
    assert.equal(empty.status, 204);
    assert.equal(empty.body, "");
    assert.equal(stream.te, "chunked");
    assert.equal(stream.body, "s1,s2,s3");
    // Every request came from Python's one socket.
    assert.equal(peerPorts.length, 6);
    assert.deepEqual(new Set(peerPorts), new Set([session.local_port]));
  });

  it("honours Connection: close from the client", async () => {
    const result = (await python(CLOSE, [String(server.port)])) as { status: number; body: string; will_close: boolean; connection: string | null };
    assert.equal(result.status, 200);
    assert.equal(result.body, "hello anon");
    assert.equal(result.will_close, true);
    assert.equal(result.connection?.toLowerCase(), "close");
  });
});
