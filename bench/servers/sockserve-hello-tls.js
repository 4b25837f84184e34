// sockserve-hello-tls.js: sockserve's hello-world server over HTTPS (needs `npm run build`).
// argv: the certificate and key files (PEM). Listens on 127.0.0.1:$PORT and prints `PORT <n>`.
import { readFileSync } from "node:fs";
import { serve } from "../../dist/index.js";

const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  tls: { cert: readFileSync(process.argv[2]), key: readFileSync(process.argv[3]) },
  fetch: () => new Response("Hello, World!"),
});

console.log(`PORT ${server.port}`);
