// socketio-pubsub-node.js: one node of the pubsub-2-nodes case as Socket.IO would do it: socket.io
// on node:http with @socket.io/redis-adapter on $REDIS_URL. Sockets with ?role=sub join "room";
// each "m" event (binary) from a ?role=pub socket is emitted to "room" on every node. GET /count:
// this node's subscribers; GET /other: $OTHER_PORT (node B's port, on node A). Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";
import { Server } from "socket.io";

const pubClient = createClient({ url: process.env.REDIS_URL });
const subClient = pubClient.duplicate();
for (const c of [pubClient, subClient]) c.on("error", (err) => console.error(`redis: ${err.message}`));
await Promise.all([pubClient.connect(), subClient.connect()]);

const httpServer = http.createServer((req, res) => {
  if (req.url === "/other") return res.end(process.env.OTHER_PORT ?? "");
  if (req.url === "/count") return res.end(String(io.of("/").adapter.rooms.get("room")?.size ?? 0));
  if (!req.url.startsWith("/socket.io/")) res.end("pubsub node\n");
});
const io = new Server(httpServer, { transports: ["websocket"], perMessageDeflate: false, adapter: createAdapter(pubClient, subClient) });
io.on("connection", (socket) => {
  if (socket.handshake.query.role === "sub") socket.join("room");
  else socket.on("m", (data) => io.to("room").emit("m", data));
});
httpServer.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => console.log(`PORT ${httpServer.address().port}`));
