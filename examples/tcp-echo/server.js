// A TCP echo server on node:net alone: every byte a client sends comes straight back. When the
// client ends its side, the server finishes echoing and then ends its own.
// Run: node examples/tcp-echo/server.js        (PORT=7000 by default; PORT=0 picks a free port)
import net from "node:net";

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  // pipe() echoes with backpressure (it pauses reading while the client is slow to read), and
  // once the client's FIN has come and every byte has been written back, it ends our side too.
  // allowHalfOpen keeps our side open after the client's FIN, so nothing is cut short.
  socket.pipe(socket);
  socket.on("error", (err) => console.error(`echo: ${socket.remoteAddress}:${socket.remotePort}: ${err.message}`));
});

server.listen(Number(process.env.PORT ?? 7000), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`Listening on ${address}:${port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    // close() waits for open connections; don't wait forever on an idle client.
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
