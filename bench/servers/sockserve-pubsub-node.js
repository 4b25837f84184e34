// sockserve-pubsub-node.js: one node of the pubsub-2-nodes case (needs `npm run build`): serve()
// with redisPubSub($REDIS_URL). /sub sockets join "room"; each binary message on a /pub socket is
// server.publish()ed to "room" (on every node, through Redis). GET /count: this node's subscribers;
// GET /other: $OTHER_PORT (node B's port, on node A).
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { serve } from "../../dist/index.js";
import { redisPubSub } from "../../dist/pubsub/redis-pubsub.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  pubsub: redisPubSub({ url: process.env.REDIS_URL }),
  fetch(req, s) {
    const { pathname } = new URL(req.url);
    if (pathname === "/count") return new Response(String(s.subscriberCount("room")));
    if (pathname === "/other") return new Response(process.env.OTHER_PORT ?? "");
    if (s.upgrade(req, { data: { role: pathname === "/pub" ? "pub" : "sub" } })) return;
    return new Response("pubsub node\n");
  },
  websocket: {
    perMessageDeflate: false,
    open(ws) {
      if (ws.data.role === "sub") ws.subscribe("room");
    },
    message(ws, m) {
      if (ws.data.role === "pub" && typeof m !== "string") server.publish("room", m);
    },
  },
});

console.log(`PORT ${server.port}`);
