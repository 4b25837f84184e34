// A time server on sockserve: "/" is an HTML page whose clock is pushed by the server, "/now" the
// time as JSON, "/stream" Server-Sent Events (a "data:" line every second). Each stream's timer is
// cleared when its client disconnects (request.signal aborts).
// Run: npm run build && node examples/time-server/server.js   (PORT=8000 by default; PORT=0 picks a free port)
import { serve } from "../../dist/index.js";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sockserve time</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 36rem; text-align: center; }
  #clock { font: 700 3rem/1.2 ui-monospace, monospace; margin: 1rem 0; }
  #status { color: #666; }
</style>
</head>
<body>
<h1>Server time</h1>
<div id="clock">--:--:--</div>
<p id="iso"></p>
<p id="status">connecting…</p>
<script>
  const clock = document.getElementById("clock");
  const iso = document.getElementById("iso");
  const status = document.getElementById("status");
  const events = new EventSource("/stream");
  events.onopen = () => { status.textContent = "live: one event a second from /stream"; };
  events.onmessage = (event) => {
    const now = JSON.parse(event.data);
    clock.textContent = new Date(now.epochMs).toLocaleTimeString();
    iso.textContent = now.iso;
  };
  events.onerror = () => { status.textContent = "disconnected; the browser retries by itself"; };
</script>
</body>
</html>
`;

let openStreams = 0;

/** now is the current time in both shapes the example serves. */
function now() {
  const date = new Date();
  return { iso: date.toISOString(), epochMs: date.getTime() };
}

/** stream answers with an event stream that sends the time now and then once a second. */
function stream(request) {
  const encoder = new TextEncoder();
  let timer = null;
  const stop = (why) => {
    if (timer === null) return;
    clearInterval(timer);
    timer = null;
    openStreams--;
    console.log(`stream closed (${why}); ${openStreams} open`);
  };
  const body = new ReadableStream({
    start(controller) {
      const send = () => controller.enqueue(encoder.encode(`data: ${JSON.stringify(now())}\n\n`));
      // "retry:" tells EventSource how long to wait before reconnecting.
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
      send();
      timer = setInterval(send, 1000);
      openStreams++;
      console.log(`stream opened; ${openStreams} open`);
      request.signal.addEventListener("abort", () => stop("client disconnected"), { once: true });
    },
    cancel() {
      stop("cancelled");
    },
  });
  return new Response(body, {
    headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store" },
  });
}

const server = await serve({
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? "127.0.0.1",
  fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
    }
    switch (pathname) {
      case "/":
        return new Response(PAGE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      case "/now":
        return Response.json(now(), { headers: { "Cache-Control": "no-store" } });
      case "/stream":
        return stream(request);
      default:
        return new Response("Not Found\n", { status: 404 });
    }
  },
});
console.log(`Listening on ${server.url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void server.stop(true).then(() => process.exit(0)));
