// node-http2-hello.js: the node:http2 peers of the HTTP/2 hello-world cases. argv: `compat` (the
// compatibility API, `createServer((req, res) => ...)`, what most Node code uses) or `core` (the
// core API: `stream.respond()` + `end()`), then optionally the certificate and key files (PEM)
// for TLS 1.3 (X25519, ALPN h2, as the nginx peer); without them, h2c with prior knowledge.
// Listens on 127.0.0.1:$PORT and prints `PORT <n>`.
import { readFileSync } from "node:fs";
import http2 from "node:http2";

const [api, certFile, keyFile] = process.argv.slice(2);
if (api !== "compat" && api !== "core") {
  console.error("usage: node-http2-hello.js compat|core [cert.pem key.pem]");
  process.exit(2);
}

const body = "Hello, World!";
const server = certFile
  ? http2.createSecureServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: "TLSv1.3", ecdhCurve: "X25519" })
  : http2.createServer();

if (api === "compat") {
  // What `http2.createServer((req, res) => ...)` installs: a "request" listener.
  server.on("request", (req, res) => {
    res.setHeader("content-type", "text/plain;charset=UTF-8");
    res.end(body);
  });
} else {
  server.on("stream", (stream) => {
    stream.respond({ ":status": 200, "content-type": "text/plain;charset=UTF-8" });
    stream.end(body);
  });
}

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
