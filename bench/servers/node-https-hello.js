// node-https-hello.js: the node:https peer of the HTTPS hello-world case (TLS 1.3, X25519, as
// the nginx peer). argv: the certificate and key files (PEM). Listens on 127.0.0.1:$PORT and
// prints `PORT <n>`.
import { readFileSync } from "node:fs";
import https from "node:https";

const body = "Hello, World!";

const server = https.createServer(
  { cert: readFileSync(process.argv[2]), key: readFileSync(process.argv[3]), minVersion: "TLSv1.3", ecdhCurve: "X25519" },
  (req, res) => {
    res.setHeader("content-type", "text/plain;charset=UTF-8");
    res.end(body);
  },
);

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
