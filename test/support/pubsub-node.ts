// A sockserve node for the cross-node pub/sub tests, in its own process: serve({ pubsub, websocket })
// on a free loopback port with the broker named in argv[2] (JSON { broker, url, workers? }).
// Prints "PORT <n>"; with workers, the primary obeys stdin lines "publish <text>" (ClusterServer.publish).
//
//   GET  /ws?topic=T          WebSocket subscribed to T; what it sends is ws.publish()ed to T
//   POST /publish?topic=T&binary=1&compress=1   server.publish(T, body) (text unless binary=1)
//   GET  /status              server.pubsubStatus
//   GET  /pid                 the serving process's PID
import { createInterface } from "node:readline";
import { ClusterServer, serve } from "../../src/index.js";
import type { PubSubBroker } from "../../src/server/pubsub-broker.js";
import { postgresPubSub } from "../../src/pubsub/postgres-pubsub.js";
import { redisPubSub } from "../../src/pubsub/redis-pubsub.js";

const { broker, url, workers } = JSON.parse(process.argv[2] ?? "{}") as { broker: "redis" | "postgres"; url: string; workers?: number };
const pubsub: PubSubBroker = broker === "redis" ? redisPubSub({ url, maxReconnectDelay: 500 }) : postgresPubSub({ connectionString: url, maxReconnectDelay: 500 });

const server = await serve({
  port: 0,
  hostname: "127.0.0.1",
  workers,
  pubsub,
  async fetch(request, server) {
    const url = new URL(request.url);
    const topic = url.searchParams.get("topic") ?? "room";
    if (url.pathname === "/ws" && server.upgrade(request, { data: { topic } })) return;
    if (url.pathname === "/status") return new Response(server.pubsubStatus);
    if (url.pathname === "/pid") return new Response(String(process.pid));
    if (url.pathname === "/publish" && request.method === "POST") {
      const body = new Uint8Array(await request.arrayBuffer());
      const data = url.searchParams.get("binary") === "1" ? body : new TextDecoder().decode(body);
      return new Response(String(server.publish(topic, data, url.searchParams.get("compress") === "1")));
    }
    return new Response("not found", { status: 404 });
  },
  websocket: {
    perMessageDeflate: true,
    maxPayloadLength: 2 * 1024 * 1024,
    open: (ws) => ws.subscribe((ws.data as { topic: string }).topic),
    message: (ws, message) => void ws.publish((ws.data as { topic: string }).topic, message, false),
  },
});
if (server instanceof ClusterServer) {
  process.stdout.write(`PORT ${server.port}\n`);
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.startsWith("publish ")) server.publish("room", line.slice(8));
  });
} else if (workers === undefined) process.stdout.write(`PORT ${server.port}\n`);
