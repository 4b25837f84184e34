// Child process for test/e2e/backpressure.test.ts: a sockserve server whose
// RSS the test can watch. Prints "PORT <n>" once listening.
//   POST /upload          consumes the body stream, answers {"bytes": n}
//   GET  /download?size=n streams n bytes from a fast pull-based ReadableStream
//   GET  /rss             answers {"rss": now, "peak": highest since /reset}
//   POST /reset           restarts the peak at the current RSS
import { serve } from "../../src/index.js";

const CHUNK = 64 * 1024;
let peak = process.memoryUsage.rss();
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
  return rss;
};
setInterval(sample, 20).unref();

const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  limits: { maxBodySize: 2 * 1024 * 1024 * 1024, bodyTimeout: 60_000 },
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/upload": {
        let bytes = 0;
        for await (const chunk of request.body!) {
          bytes += chunk.length;
          if ((bytes & 0xfffff) < chunk.length) sample();
        }
        return Response.json({ bytes });
      }
      case "/download": {
        const size = Number(url.searchParams.get("size"));
        const block = new Uint8Array(CHUNK).fill(0x5a);
        let sent = 0;
        return new Response(
          new ReadableStream<Uint8Array>({
            // pull is only called when the stream wants data: a server honouring backpressure
            // stops pulling while the socket is full.
            pull(controller) {
              const n = Math.min(CHUNK, size - sent);
              if (n <= 0) return controller.close();
              // A fresh copy each time, as a real producer would hand over new buffers.
              controller.enqueue(block.slice(0, n));
              sent += n;
            },
          }),
        );
      }
      case "/rss":
        return Response.json({ rss: sample(), peak });
      case "/reset":
        peak = sample();
        return Response.json({ peak });
      default:
        return new Response("not found", { status: 404 });
    }
  },
});

process.stdout.write(`PORT ${server.port}\n`);
process.on("SIGTERM", () => {
  void server.stop(true).then(() => process.exit(0));
});
