// Python's h2 (Debian's python3-h2, through /usr/bin/python3) as an HTTP/2 client over real TCP:
// three streams at once on one connection, one of them a 600 KB upload sent within the windows
// our server opens as its handler reads; h2 validates every frame and header block we send.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { withServer } from "../support/server.js";

const PYTHON = "/usr/bin/python3";
const hasH2 = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import h2"]).status === 0;

const CLIENT = String.raw`
import json, socket, sys
import h2.config, h2.connection, h2.events
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
c.initiate_connection()
def req(sid, method, path, end):
    c.send_headers(sid, [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path)], end_stream=end)
req(1, "GET", "/a", True)
req(3, "POST", "/echo", False)
req(5, "GET", "/b", True)
s.sendall(c.data_to_send())
body = bytes(range(256)) * 2400  # 614,400 bytes: more than the 256 KiB stream window
sent = 0
out = {}
while len([v for v in out.values() if v.get("ended")]) < 3:
    while sent < len(body):
        n = min(c.local_flow_control_window(3), c.max_outbound_frame_size, len(body) - sent)
        if n <= 0:
            break
        c.send_data(3, body[sent:sent + n])
        sent += n
        if sent == len(body):
            c.end_stream(3)
    s.sendall(c.data_to_send())
    data = s.recv(65536)
    if not data:
        break
    for e in c.receive_data(data):
        if isinstance(e, h2.events.ResponseReceived):
            out.setdefault(e.stream_id, {"len": 0})["status"] = dict(e.headers)[b":status"].decode()
        elif isinstance(e, h2.events.DataReceived):
            out.setdefault(e.stream_id, {"len": 0})["len"] += len(e.data)
            c.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
        elif isinstance(e, h2.events.StreamEnded):
            out.setdefault(e.stream_id, {"len": 0})["ended"] = True
    s.sendall(c.data_to_send())
print(json.dumps(out))
`;

describe("python3-h2 as a client", { skip: hasH2 ? false : "python3-h2 not installed" }, () => {
  it("gets three multiplexed answers, one of them a 600 KB echo that needs the window credited as the handler reads", async () => {
    await withServer({
      http2: true,
      async fetch(request) {
        if (new URL(request.url).pathname === "/echo") return new Response(await request.arrayBuffer());
        return new Response(`path ${new URL(request.url).pathname}`);
      },
    }, async (server) => {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(PYTHON, ["-c", CLIENT, String(server.port)], { timeout: 20_000 }, (error, out, err) => (error !== null ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
      });
      const out = JSON.parse(stdout) as Record<string, { status: string; len: number; ended: boolean }>;
      assert.deepEqual(out["1"], { status: "200", len: 7, ended: true });
      assert.deepEqual(out["3"], { status: "200", len: 614_400, ended: true });
      assert.deepEqual(out["5"], { status: "200", len: 7, ended: true });
    });
  });
});
