// node-http-hello.js: the node:http peer of the hello-world cases (keep-alive is node:http's default).
// setHeader + end(body) lets node:http send Content-Length: 13, as `new Response(body)` does.
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import http from "node:http";

const body = "Hello, World!";

const server = http.createServer((req, res) => {
  res.setHeader("content-type", "text/plain;charset=UTF-8");
  res.end(body);
});

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
