// node-http2-static.js: a plain node:http2 (h2c) static-file server, the stand-in for sockserve's
// CLI in the HTTP/2 static cases (`--stand-in`, `--stand-in-for sockserve`): the core API's
// respondWithFile. Usage: node bench/servers/node-http2-static.js DIR. Listens on
// 127.0.0.1:$PORT and prints `PORT <n>`.
import http2 from "node:http2";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? ".");
const server = http2.createServer();

server.on("stream", (stream, headers) => {
  const name = decodeURIComponent(new URL(headers[":path"], "http://x").pathname);
  const file = path.join(root, path.normalize(name));
  if (!file.startsWith(root + path.sep)) return send(stream, 403);
  stream.respondWithFile(file, { "content-type": "application/octet-stream" }, {
    statCheck: (st) => st.isFile() || (send(stream, 404), false),
    onError: () => send(stream, 404),
  });
});

function send(stream, status) {
  if (stream.headersSent || stream.destroyed) return stream.destroy();
  stream.respond({ ":status": status, "content-type": "text/plain" });
  stream.end(`${status}\n`);
}

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
