// A sockserve server in its own process for test/ops/hardening.test.ts, so its memory is its own
// (VmRSS from /proc) and the test's 2,000 hostile sockets do not share its event loop. Options come
// as JSON in argv[2]: { headerTimeout, chunk, size, maxConnections, root }. It prints "PORT <n>" once
// listening, and "LOG <message>" for everything the server logs.
//
//   GET /          "ok"
//   GET /big       `size` bytes, streamed in `chunk`-byte pieces (one shared buffer: the test
//                  measures the server, not the app)
//   GET /file      `size` bytes from a file it writes into `root` (the test removes it), through serveStatic
import { writeFileSync } from "node:fs";
import path from "node:path";
import { serve, serveStatic } from "../../src/index.js";

interface Options {
  headerTimeout?: number;
  chunk?: number;
  size?: number;
  maxConnections?: number;
  root: string;
}

const options = JSON.parse(process.argv[2]) as Options;
const chunkSize = options.chunk ?? 16 * 1024;
const size = options.size ?? 8 * 1024 * 1024;
const piece = new Uint8Array(chunkSize).fill(0x61);
const root = options.root;
writeFileSync(path.join(root, "file"), Buffer.alloc(size, 0x62));
const files = serveStatic({ root, compress: false });

const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  limits: { headerTimeout: options.headerTimeout ?? 10_000 },
  idleTimeout: 60,
  ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
  logger: (err) => process.stderr.write(`LOG ${err instanceof Error ? err.message : String(err)}\n`),
  fetch(req) {
    const { pathname } = new URL(req.url);
    if (pathname === "/big") {
      let sent = 0;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= size) return controller.close();
            sent += piece.length;
            controller.enqueue(piece);
          },
        }),
        { headers: { "content-length": String(size) } },
      );
    }
    if (pathname === "/file") return files(req);
    return new Response("ok");
  },
});
process.stdout.write(`PORT ${server.port}\n`);
