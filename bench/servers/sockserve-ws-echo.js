// sockserve-ws-echo.js: sockserve's WebSocket echo server for the ws-echo case (needs `npm run build`).
// Every message goes back to its sender as it came (binary stays binary). No permessage-deflate.
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  fetch(req, s) {
    if (s.upgrade(req)) return;
    return new Response("no");
  },
  websocket: {
    perMessageDeflate: false,
    message(ws, m) {
      ws.send(m);
    },
  },
});

console.log(`PORT ${server.port}`);
