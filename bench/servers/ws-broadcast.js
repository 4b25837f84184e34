// ws-broadcast.js: the `ws` package's server for the ws-broadcast case, the peer of sockserve.
// A socket opened on /sub is a subscriber; one opened on /pub is the publisher: each binary message
// it sends goes, as it is, to every subscriber (iterate and send, as ws's README broadcasts), and
// the text message "count" is answered with the number of subscribers. No permessage-deflate.
// Listens on 127.0.0.1:$PORT (0 = any free port) and prints `PORT <n>`.
import { WebSocketServer } from "ws";

const wss = new WebSocketServer({ port: Number(process.env.PORT) || 0, host: "127.0.0.1", perMessageDeflate: false });
const subscribers = new Set();

wss.on("connection", (ws, req) => {
  if (req.url !== "/pub") {
    subscribers.add(ws);
    ws.on("close", () => subscribers.delete(ws));
    return;
  }
  ws.on("message", (data, isBinary) => {
    if (!isBinary) {
      if (data.toString() === "count") ws.send(String(subscribers.size));
      return;
    }
    for (const sub of subscribers) sub.send(data, { binary: true });
  });
});
wss.on("listening", () => console.log(`PORT ${wss.address().port}`));
