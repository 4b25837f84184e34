// sockserve-ws-broadcast.js: sockserve's server for the ws-broadcast case (needs `npm run build`).
// A socket opened on /sub joins the topic "room"; one opened on /pub is the publisher: each binary
// message it sends is published as it is to "room" (server.publish: framed once for all), and the
// text message "count" is answered with the number of subscribers, so the client knows when all
// of them are in. No permessage-deflate.
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  fetch(req, s) {
    const role = new URL(req.url).pathname === "/pub" ? "pub" : "sub";
    if (s.upgrade(req, { data: { role } })) return;
    return new Response("no");
  },
  websocket: {
    perMessageDeflate: false,
    open(ws) {
      if (ws.data.role === "sub") ws.subscribe("room");
    },
    message(ws, m) {
      if (ws.data.role !== "pub") return;
      if (typeof m === "string") {
        if (m === "count") ws.send(String(server.subscriberCount("room")));
        return;
      }
      server.publish("room", m);
    },
  },
});

console.log(`PORT ${server.port}`);
