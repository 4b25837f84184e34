// Python's `websockets` library (Debian's python3-websockets, through /usr/bin/python3) against
// the server: two clients send text and binary, get their echoes, a message published by the
// other client and one published by the server, then close with a code. Once with
// permessage-deflate ("deflate"), once without (compression=None).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { startServer, within, type Server } from "../support/server.js";
import { ensureDebianPackage, succeeds } from "../support/ws-apt.js";
import { waitUntil } from "../support/ws-peer.js";

const PYTHON = "/usr/bin/python3";

const SCRIPT = String.raw`
import asyncio, json, sys, websockets

port, mode = int(sys.argv[1]), sys.argv[2]
compression = "deflate" if mode == "on" else None

async def main():
    out = {"version": websockets.__version__}
    url = "ws://127.0.0.1:%d/ws" % port
    async with websockets.connect(url + "?name=a", compression=compression, max_size=2**22) as a, \
               websockets.connect(url + "?name=b", compression=compression, max_size=2**22) as b:
        out["extensions"] = [e.name for e in a.extensions]
        out["agreed"] = a.response_headers.get("Sec-WebSocket-Extensions")
        out["hello"] = a.response_headers.get("X-Hello")
        for ws in (a, b):  # wait until both are subscribed: the server says so
            out.setdefault("welcome", []).append(await ws.recv())

        await a.send("héllo from python ✓")
        r = await a.recv()
        out["text"], out["text_type"] = r, type(r).__name__
        data = bytes(range(256)) * 40
        await a.send(data)
        r = await a.recv()
        out["binary_ok"], out["binary_type"], out["binary_len"] = r == data, type(r).__name__, len(r)
        big = "python " * 30000
        await a.send(big)
        out["big_ok"] = (await a.recv()) == big

        await a.send("pub:from a to the room")
        out["b_got_from_a"] = await b.recv()
        await a.send("server-publish")
        out["a_broadcast"] = await a.recv()
        out["b_broadcast"] = await b.recv()

        await a.close(code=4321, reason="py done")
        out["a_close_code"] = a.close_code
    print(json.dumps(out))

asyncio.run(asyncio.wait_for(main(), 20))
`;

function python(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", SCRIPT, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`python failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as Record<string, unknown>);
      } catch {
        reject(new Error(`python printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

describe("Python websockets against sockserve", { skip: !existsSync(PYTHON) && "no /usr/bin/python3" }, () => {
  let server: Server;
  const nonce = randomBytes(6).toString("hex");
  const seen: { name: string | null; kind: string }[] = [];
  const closes: { code: number; reason: string }[] = [];

  before(async () => {
    await ensureDebianPackage("python3-websockets", () => succeeds(PYTHON, ["-c", "import websockets"]));
    server = await startServer({
      fetch(req, server) {
        const url = new URL(req.url);
        if (url.pathname === "/ws" && server.upgrade(req, { data: { name: url.searchParams.get("name") }, headers: { "X-Hello": "py" } })) return;
        return new Response("hi");
      },
      websocket: {
        perMessageDeflate: true,
        open(ws) {
          ws.subscribe("room");
          ws.send(`welcome ${ws.data.name}`);
        },
        message(ws, m) {
          seen.push({ name: ws.data.name, kind: typeof m === "string" ? "text" : Buffer.isBuffer(m) ? "binary" : "?" });
          if (m === "server-publish") server.publish("room", `broadcast ${nonce}`);
          else if (typeof m === "string" && m.startsWith("pub:")) ws.publish("room", m.slice(4));
          else ws.send(m);
        },
        close: (_ws, code, reason) => void closes.push({ code, reason }),
      },
    });
  }, { timeout: 15 * 60_000 });

  after(async () => {
    if (server) await within(server.stop(true), 5000, "server.stop(true)");
  });

  for (const mode of ["on", "off"] as const) {
    it(`compression ${mode}: echoes, publish from a client and from the server, close code`, async () => {
      seen.length = 0;
      closes.length = 0;
      const out = await python([String(server.port), mode]);
      if (mode === "on") {
        assert.deepEqual(out.extensions, ["permessage-deflate"], `websockets ${out.version}`);
        assert.match(String(out.agreed), /^permessage-deflate/);
      } else {
        assert.deepEqual(out.extensions, []);
        assert.equal(out.agreed, null);
      }
      assert.equal(out.hello, "py");
      assert.deepEqual(out.welcome, ["welcome a", "welcome b"]);
      assert.equal(out.text, "héllo from python ✓");
      assert.equal(out.text_type, "str");
      assert.deepEqual([out.binary_ok, out.binary_type, out.binary_len], [true, "bytes", 10240]);
      assert.equal(out.big_ok, true);
      assert.equal(out.b_got_from_a, "from a to the room");
      assert.equal(out.a_broadcast, `broadcast ${nonce}`);
      assert.equal(out.b_broadcast, `broadcast ${nonce}`);
      assert.equal(out.a_close_code, 4321);
      assert.deepEqual(
        seen.filter((s) => s.name === "a").map((s) => s.kind),
        ["text", "binary", "text", "text", "text"],
        "the server saw text as strings and binary as Buffers",
      );
      await waitUntil(() => closes.some((c) => c.code === 4321), 3000, "server close handler");
      assert.ok(closes.some((c) => c.code === 4321 && c.reason === "py done"), JSON.stringify(closes));
    });
  }
});
