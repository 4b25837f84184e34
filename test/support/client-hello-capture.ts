// Real ClientHellos for the parser tests: openssl s_client connects to a plain TCP listener that
// keeps the first TLS record it receives (read by its own header, not by the code under test)
// and closes, so a test builds its fixtures at run time instead of committing binaries.
import net from "node:net";
import { sClient } from "./openssl-client.js";

/** captureClientHello runs `openssl s_client ...args` against a fresh listener and resolves with its first TLS record, whole. */
export async function captureClientHello(args: string[]): Promise<Buffer> {
  let resolveRecord!: (record: Buffer) => void;
  const captured = new Promise<Buffer>((resolve) => (resolveRecord = resolve));
  const server = net.createServer((socket) => {
    let bytes = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      bytes = Buffer.concat([bytes, chunk]);
      if (bytes.length < 5 || bytes.length < 5 + bytes.readUInt16BE(3)) return;
      resolveRecord(bytes.subarray(0, 5 + bytes.readUInt16BE(3)));
      socket.destroy();
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const run = sClient(port, args);
    const noRecord = run.then((out): Buffer => {
      throw new Error(`s_client ${args.join(" ")} ended before a whole record: ${out.text}`);
    });
    const record = await Promise.race([captured, noRecord]);
    await run; // s_client has exited before the caller goes on
    return record;
  } finally {
    server.close();
  }
}
