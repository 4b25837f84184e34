// A chat room: one HTML page, and a WebSocket on /ws where every message goes to everyone
// through pub/sub (each socket subscribes to the topic "chat"; the server publishes to it).
// Run: npm run build && node examples/chat/server.js   (PORT=8000 and HOST=127.0.0.1 by default)
// With REDIS_URL (e.g. redis://127.0.0.1:6379) the room spans every node started with the same
// REDIS_URL: messages go through Redis pub/sub (sockserve/pubsub/redis), so nodes can sit behind a balancer.
//
// Messages are JSON. The page sends {type: "join", name} once, then {type: "message", text};
// everyone receives {type, name, text, time} with type "join", "message" or "leave" and time an
// ISO 8601 date. Names are 1 to 32 characters and messages 1 to 1000, both trimmed; anything
// else (bad JSON, unknown types, a second join, a message before joining) is dropped quietly.
// The server sends text only as JSON values, and the page shows it with textContent, never as HTML.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { serve } from "../../dist/index.js";

const MAX_NAME = 32;
const MAX_TEXT = 1000;
const TOPIC = "chat";

const page = await readFile(new URL("./index.html", import.meta.url), "utf8");
const headers = pageHeaders(page);

const port = Number(process.env.PORT || 8000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number (0 picks a free one), not ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}

// Loaded only when asked for: the redis package is needed for several nodes only.
const pubsub = process.env.REDIS_URL ? (await import("../../dist/pubsub/redis-pubsub.js")).redisPubSub({ url: process.env.REDIS_URL }) : undefined;

const server = await serve({
  port,
  hostname: process.env.HOST ?? "127.0.0.1",
  pubsub,
  fetch(request, server) {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws") {
      // Only pages served from this host may connect (browsers always send Origin).
      const origin = request.headers.get("origin");
      if (origin !== null && !sameHost(origin, request.headers.get("host"))) return new Response("Forbidden\n", { status: 403 });
      if (server.upgrade(request, { data: { name: null } })) return;
      return new Response("This is the chat's WebSocket endpoint.\n", { status: 426, headers: { Upgrade: "websocket" } });
    }
    if (pathname === "/" || pathname === "/index.html") {
      if (request.method !== "GET" && request.method !== "HEAD") return new Response("Method Not Allowed\n", { status: 405, headers: { Allow: "GET, HEAD" } });
      return new Response(page, { headers }); // for HEAD, the server sends the headers only
    }
    return new Response("Not Found\n", { status: 404 });
  },
  websocket: {
    maxPayloadLength: 16 * 1024, // far above a valid message; a bigger frame closes the socket (1009)
    message(ws, raw) {
      const msg = parse(raw);
      if (msg === null) return;
      if (msg.type === "join" && ws.data.name === null) {
        const name = cleanName(msg.name);
        if (name === null) return;
        ws.data.name = name;
        ws.subscribe(TOPIC);
        broadcast("join", name, `${name} joined`);
      } else if (msg.type === "message" && ws.data.name !== null) {
        const text = cleanText(msg.text);
        if (text !== null) broadcast("message", ws.data.name, text);
      }
    },
    close(ws) {
      const { name } = ws.data;
      if (name !== null) broadcast("leave", name, `${name} left`);
    },
  },
});

/** broadcast sends one event to everyone in the room (the sender included). */
function broadcast(type, name, text) {
  server.publish(TOPIC, JSON.stringify({ type, name, text, time: new Date().toISOString() }));
}

/** parse returns the JSON object a text message holds, or null for anything else. */
function parse(raw) {
  if (typeof raw !== "string" || raw.length > 8 * 1024) return null;
  try {
    const value = JSON.parse(raw);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/** cleanName trims a name and checks it: 1 to 32 characters, no control characters. */
function cleanName(value) {
  if (typeof value !== "string") return null;
  const name = value.trim().replace(/\s+/gu, " ");
  return name.length >= 1 && name.length <= MAX_NAME && !/\p{Cc}/u.test(name) ? name : null;
}

/** cleanText trims a message and checks it: 1 to 1000 characters; control characters but newline and tab are removed. */
function cleanText(value) {
  if (typeof value !== "string") return null;
  const text = value.replace(/(?![\n\t])\p{Cc}/gu, "").trim();
  return text.length >= 1 && text.length <= MAX_TEXT ? text : null;
}

/** sameHost compares host names without ports: a proxy such as nginx passes `Host: $host`, which drops the port. */
function sameHost(origin, host) {
  try {
    return host !== null && new URL(origin).hostname === new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
}

/** pageHeaders allows the page's own inline <style> and <script> (by hash) and nothing from elsewhere. */
function pageHeaders(html) {
  const hash = (tag) => {
    const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)?.[1] ?? "";
    return `'sha256-${createHash("sha256").update(body).digest("base64")}'`;
  };
  const csp = [
    "default-src 'none'",
    `script-src ${hash("script")}`,
    `style-src ${hash("style")}`,
    "connect-src 'self' ws: wss:",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  };
}

console.log(`Listening on ${server.url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void server.stop().then(() => process.exit(0)));
