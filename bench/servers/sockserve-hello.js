// sockserve-hello.js: sockserve's hello-world server for the benchmarks (needs `npm run build`).
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  fetch: () => new Response("Hello, World!"),
});

console.log(`PORT ${server.port}`);
