// A sockserve WebSocket server in its own process, for the tests that stress zlib and
// backpressure: if the server crashes, only this process dies and the test reports how, and its
// memory can be measured apart from the test's. Options come as JSON in argv[2]; it prints
// "PORT <n>" once listening.
//
//   text "flood:<count>:<size>"  send <count> binary messages of <size> bytes (each starting with
//                                its index as a uint32) in one synchronous loop, recording send()'s
//                                results; stops after 20 zeros
//   text "publish:<count>:<size>" server.publish() <count> compressible text messages of about
//                                <size> bytes ("<i>:" then filler) to the topic "room", compress
//                                requested, in one loop; every socket joins "room" on open
//   anything else                echoed back
//   GET /stats                   JSON: floods, drains, closes, rss, the flood socket's buffered bytes
import { randomBytes } from "node:crypto";
import { serve, type ServerWebSocket } from "../../src/index.js";

interface ChildOptions {
  perMessageDeflate?: boolean;
  backpressureLimit?: number;
  closeOnBackpressureLimit?: boolean;
  maxPayloadLength?: number;
}

/** Flood is what one flood did. */
export interface Flood {
  sends: number[];
  /** bufferedNow: the socket's buffered bytes right after the loop; bufferedLater: 500 ms later. */
  bufferedNow: number;
  bufferedLater: number;
  rssBefore: number;
  rssLater: number;
}

/** ChildStats is the answer of GET /stats. */
export interface ChildStats {
  floods: Flood[];
  drains: number;
  closes: { code: number; reason: string }[];
  messages: number;
  rss: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as ChildOptions;
const stats: ChildStats = { floods: [], drains: 0, closes: [], messages: 0, rss: 0 };

function flood(ws: ServerWebSocket<undefined>, count: number, size: number): void {
  const block = randomBytes(size);
  const rssBefore = process.memoryUsage().rss;
  const record: Flood = { sends: [], bufferedNow: -1, bufferedLater: -1, rssBefore, rssLater: -1 };
  let zeros = 0;
  for (let i = 0; i < count && zeros < 20; i++) {
    const message = Buffer.from(block);
    message.writeUInt32BE(i, 0);
    const result = ws.send(message);
    record.sends.push(result);
    if (result === 0) zeros++;
  }
  record.bufferedNow = ws.getBufferedAmount();
  stats.floods.push(record);
  setTimeout(() => {
    record.bufferedLater = ws.readyState === 1 ? ws.getBufferedAmount() : -1;
    record.rssLater = process.memoryUsage().rss;
  }, 500);
}

const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req, server) {
    if (new URL(req.url).pathname === "/stats") {
      stats.rss = process.memoryUsage().rss;
      return new Response(JSON.stringify(stats), { headers: { "content-type": "application/json" } });
    }
    if (server.upgrade(req)) return;
    return new Response("not a websocket", { status: 400 });
  },
  websocket: {
    perMessageDeflate: options.perMessageDeflate ?? false,
    backpressureLimit: options.backpressureLimit,
    closeOnBackpressureLimit: options.closeOnBackpressureLimit,
    maxPayloadLength: options.maxPayloadLength,
    open(ws) {
      ws.subscribe("room");
    },
    message(ws, message) {
      stats.messages++;
      const m = typeof message === "string" ? /^flood:(\d+):(\d+)$/.exec(message) : null;
      if (m) return flood(ws, Number(m[1]), Number(m[2]));
      const p = typeof message === "string" ? /^publish:(\d+):(\d+)$/.exec(message) : null;
      if (p) {
        for (let i = 0; i < Number(p[1]); i++) server.publish("room", `${i}:${"published ".repeat(Math.ceil(Number(p[2]) / 10))}`, true);
        return;
      }
      ws.send(message);
    },
    drain() {
      stats.drains++;
    },
    close(_ws, code, reason) {
      stats.closes.push({ code, reason });
    },
  },
});

process.stdout.write(`PORT ${server.port}\n`);
process.on("SIGTERM", () => void server.stop(true).then(() => process.exit(0)));
