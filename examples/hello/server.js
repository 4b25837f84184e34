// The smallest sockserve app: answers every request with "Hello, World!".
// Run: npm run build && node examples/hello/server.js   (PORT=8000 by default)
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? "127.0.0.1",
  fetch: () => new Response("Hello, World!"),
});
console.log(`Listening on ${server.url}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void server.stop().then(() => process.exit(0)));
