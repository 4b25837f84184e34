// A WebSocket client on a raw TCP socket: the opening handshake written by hand (RFC 6455 §4.1),
// then exact bytes out and the server's frames read back, for tests that send what no real
// client would.
import { createHash, randomBytes } from "node:crypto";
import { RawClient } from "./raw.js";
import { parseResponses, type ParsedResponse } from "./http-response.js";
import { readServerFrames, type ServerFrame } from "./ws-frames.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** expectedAccept computes Sec-WebSocket-Accept for a key, independently of src/. */
export function expectedAccept(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/** handshakeRequest builds an upgrade request; `fields` replace or (with null) remove the defaults. */
export function handshakeRequest(path: string, fields: Record<string, string | null> = {}, options: { method?: string; version?: string; key?: string } = {}): string {
  const all: Record<string, string | null> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": options.key ?? randomBytes(16).toString("base64"),
    "Sec-WebSocket-Version": "13",
    ...fields,
  };
  let head = `${options.method ?? "GET"} ${path} ${options.version ?? "HTTP/1.1"}\r\n`;
  for (const [name, value] of Object.entries(all)) if (value !== null) head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/** RawWs is a raw connection after (or while) doing the opening handshake. */
export class RawWs {
  readonly client: RawClient;
  readonly key: string;

  private constructor(client: RawClient, key: string) {
    this.client = client;
    this.key = key;
  }

  /** open connects and sends a handshake (plus `after`, in the same write); it does not wait for the answer. */
  static async open(port: number, options: { path?: string; fields?: Record<string, string | null>; after?: Buffer } = {}): Promise<RawWs> {
    const client = await RawClient.connect(port);
    const key = randomBytes(16).toString("base64");
    const request = Buffer.from(handshakeRequest(options.path ?? "/ws", options.fields ?? {}, { key }), "latin1");
    await client.write(options.after ? Buffer.concat([request, options.after]) : request);
    return new RawWs(client, key);
  }

  /** connect opens and waits for the 101 (and checks Sec-WebSocket-Accept); it throws on anything else. */
  static async connect(port: number, options: { path?: string; fields?: Record<string, string | null>; after?: Buffer; deflate?: boolean } = {}): Promise<RawWs> {
    const fields = { ...(options.deflate ? { "Sec-WebSocket-Extensions": "permessage-deflate" } : {}), ...options.fields };
    const ws = await RawWs.open(port, { ...options, fields });
    const response = await ws.response();
    if (response.status !== 101) throw new Error(`expected 101, got ${response.status}: ${response.text}`);
    if (response.get("sec-websocket-accept") !== expectedAccept(ws.key)) throw new Error(`bad Sec-WebSocket-Accept: ${response.get("sec-websocket-accept")}`);
    if (options.deflate && !/permessage-deflate/.test(response.get("sec-websocket-extensions") ?? "")) throw new Error("permessage-deflate was not accepted");
    return ws;
  }

  /** response waits for the head of the server's answer. */
  async response(timeoutMs = 3000): Promise<ParsedResponse> {
    const ok = await this.client.until(() => this.headEnd() >= 0, timeoutMs);
    if (!ok) throw new Error(`no response head; got ${JSON.stringify(this.client.text.slice(0, 300))}`);
    const end = this.headEnd();
    const head = this.client.data.subarray(0, end);
    // A 101 has no body; other answers are parsed as a whole response.
    if (/^HTTP\/1\.1 101 /.test(head.toString("latin1"))) return parseResponses(head).responses[0];
    const responses = await this.client.waitForResponses(1);
    return responses[0];
  }

  /** frames parses every frame the server sent after its 101. */
  frames(): ServerFrame[] {
    const end = this.headEnd();
    return end < 0 ? [] : readServerFrames(this.client.data.subarray(end)).frames;
  }

  /** waitFrames waits until `count` frames have come (or the connection ended). */
  async waitFrames(count: number, timeoutMs = 3000): Promise<ServerFrame[]> {
    await this.client.until(() => this.frames().length >= count || this.client.ended, timeoutMs);
    return this.frames();
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.client.write(bytes);
  }

  destroy(): void {
    this.client.destroy();
  }

  private headEnd(): number {
    const i = this.client.data.indexOf("\r\n\r\n");
    return i < 0 ? -1 : i + 4;
  }
}
