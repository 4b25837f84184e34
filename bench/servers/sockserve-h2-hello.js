// sockserve-h2-hello.js: sockserve's HTTP/2 hello-world server (needs `npm run build`). Without
// arguments, h2c with prior knowledge on plain TCP (`http2: true`); with the certificate and key
// files (PEM), TLS, where sockserve offers h2 by ALPN by default. Listens on 127.0.0.1:$PORT and
// prints `PORT <n>`.
import { readFileSync } from "node:fs";
import { serve } from "../../dist/index.js";

const [certFile, keyFile] = process.argv.slice(2);
const server = await serve({
  port: Number(process.env.PORT) || 0,
  hostname: "127.0.0.1",
  ...(certFile ? { tls: { cert: readFileSync(certFile), key: readFileSync(keyFile) } } : { http2: true }),
  fetch: () => new Response("Hello, World!"),
});

console.log(`PORT ${server.port}`);
