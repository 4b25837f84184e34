// node-http-static.js: a plain node:http static-file server, the stand-in for sockserve's CLI in
// the static cases (`--stand-in`, `--stand-in-for sockserve`): stat, then stream the file.
// Usage: node bench/servers/node-http-static.js DIR. Listens on 127.0.0.1:$PORT and prints `PORT <n>`.
import { createReadStream, stat } from "node:fs";
import http from "node:http";
import path from "node:path";

const root = path.resolve(process.argv[2] ?? ".");

const server = http.createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = path.join(root, path.normalize(name));
  if (!file.startsWith(root + path.sep)) return send(res, 403);
  stat(file, (err, st) => {
    if (err || !st.isFile()) return send(res, 404);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": st.size });
    if (req.method === "HEAD") return res.end();
    createReadStream(file).on("error", () => res.destroy()).pipe(res);
  });
});

function send(res, status) {
  res.writeHead(status, { "content-type": "text/plain" }).end(`${status}\n`);
}

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
