// A server for the outside conformance corpus (../shared/conformance): it reads every request
// body to the end before answering, as an application that uses the body would.
// Run: npm run build && PORT=18080 node scripts/conformance-server.js
import { serve } from "../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT ?? 18080),
  hostname: "127.0.0.1",
  limits: { headerTimeout: 2000, bodyTimeout: 2000 },
  async fetch(request) {
    const body = await request.arrayBuffer();
    return new Response(`${request.method} ${new URL(request.url).pathname} ${body.byteLength}\n`);
  },
});
console.log(`PORT ${server.port}`);
