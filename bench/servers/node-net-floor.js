// node-net-floor.js: the floor of server CPU per request for any server on node:net. It parses
// nothing: each "\r\n\r\n" in what arrives (a GET without a body ends there) is answered with one
// fixed hello response, the Date cached per second. Whatever sockserve spends above this peer is
// its own parsing, framing and handler call; what this peer spends above nginx is Node's (V8,
// libuv, the net.Socket streams).
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import net from "node:net";

let date = "";
let dateSecond = -1;
function response() {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    date = new Date(second * 1000).toUTCString();
  }
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\nDate: ${date}\r\nContent-Length: 13\r\n\r\nHello, World!`;
}

const server = net.createServer((socket) => {
  socket.on("error", () => socket.destroy());
  socket.on("data", (chunk) => {
    let n = 0;
    for (let at = chunk.indexOf("\r\n\r\n"); at !== -1; at = chunk.indexOf("\r\n\r\n", at + 4)) n++;
    if (n > 0) socket.write(response().repeat(n));
  });
});

server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  console.log(`PORT ${server.address().port}`);
});
