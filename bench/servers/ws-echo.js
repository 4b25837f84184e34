// ws-echo.js: the `ws` package's WebSocket echo server, the peer of sockserve in the ws-echo case.
// Every message goes back to its sender as it came (binary stays binary). No permessage-deflate.
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ port: Number(process.env.PORT) || 0, host: "127.0.0.1", perMessageDeflate: false });

wss.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on("listening", () => console.log(`PORT ${wss.address().port}`));
