// A TCP echo client on node:net alone: sends its argument (or all of stdin), says it is done
// (a half-close, FIN), and reads until the server is done too. A response can arrive in any
// number of chunks, so the client collects every 'data' chunk until 'end', never just the first.
// Run: node examples/tcp-echo/client.js "hello"      or      some-command | node examples/tcp-echo/client.js
import net from "node:net";

const port = Number(process.env.PORT ?? 7000);
const host = process.env.HOST ?? "127.0.0.1";
const message = process.argv[2];

const socket = net.connect({ port, host });
const chunks = [];
let received = 0;

socket.on("data", (chunk) => {
  chunks.push(chunk);
  received += chunk.length;
});
// 'end' is the server's FIN: it has sent everything it ever will.
socket.on("end", () => {
  process.stdout.write(Buffer.concat(chunks, received));
  console.error(`echo-client: received ${received} bytes in ${chunks.length} chunk(s)`);
});
socket.on("error", (err) => {
  console.error(`echo-client: ${err.message}`);
  process.exitCode = 1;
});

if (message !== undefined) {
  socket.end(`${message}\n`); // write, then half-close
} else {
  process.stdin.pipe(socket); // pipe() half-closes the socket when stdin ends
}
