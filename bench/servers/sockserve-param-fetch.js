// The baseline of the router benchmark: one fetch handler giving the same answer as the
// 100-route server's /api/v1/resource-39/:id, with no routing.
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const id = new URL(req.url).pathname.split("/")[4];
    return new Response(`resource 39 item ${id}`);
  },
});
console.log(`PORT ${server.port}`);
