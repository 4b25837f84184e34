// WebSocket frames for tests, written as hex (RFC 6455 §5.2). A client frame in a table reads
// `81 85 [37fa213d] "Hello"`: header bytes, the masking key in brackets, then the payload in
// clear (hex and "quoted UTF-8" mixed), which wire() masks with the key. Frames without a
// bracketed key are sent exactly as written. Several frames in one row are joined with ",".
// Also: the bad-frame table shared by the parser test and the raw TCP test, and a reader for the
// server's (unmasked) frames.

/** bytes turns `48 65 "llo" 0a` (hex pairs and "quoted UTF-8", spaces ignored) into bytes. */
export function bytes(spec: string): Buffer {
  const parts: Buffer[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([0-9a-fA-F]+)|(\s+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while (pos < spec.length && (m = re.exec(spec)) !== null) {
    pos = re.lastIndex;
    if (m[1] !== undefined) parts.push(Buffer.from(JSON.parse(`"${m[1]}"`) as string, "utf8"));
    else if (m[2] !== undefined) {
      if (m[2].length % 2 !== 0) throw new Error(`odd hex digits in ${JSON.stringify(m[2].slice(0, 40))}`);
      parts.push(Buffer.from(m[2], "hex"));
    }
  }
  if (pos !== spec.length) throw new Error(`bad byte spec at ${pos}: ${JSON.stringify(spec.slice(pos, pos + 40))}`);
  return Buffer.concat(parts);
}

/** maskBytes XORs `payload` with a 4-byte key, the way a client masks (independent of src's unmask). */
export function maskBytes(payload: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i] ^ key[i % 4];
  return out;
}

/** wire turns a row's frames (see the file comment) into the bytes a client would send. */
export function wire(spec: string): Buffer {
  return Buffer.concat(
    splitFrames(spec).map((frame) => {
      const m = /^([^[]*)\[([0-9a-fA-F\s]*)\](.*)$/s.exec(frame);
      if (m === null) return bytes(frame);
      const key = bytes(m[2]);
      if (key.length !== 4) throw new Error(`masking key must be 4 bytes: ${frame}`);
      return Buffer.concat([bytes(m[1]), key, maskBytes(bytes(m[3]), key)]);
    }),
  );
}

function splitFrames(spec: string): string[] {
  const frames: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === "\\" && quoted) {
      current += c + (spec[++i] ?? "");
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      frames.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") frames.push(current.trim());
  return frames;
}

/** clientFrame builds one masked client frame (for payloads too big to write out in a table). */
export function clientFrame(opcode: number, payload: Uint8Array, options: { fin?: boolean; rsv1?: boolean; key?: Uint8Array } = {}): Buffer {
  const key = options.key ?? Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const n = payload.length;
  const head = n < 126 ? Buffer.alloc(2) : n < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (options.fin === false ? 0 : 0x80) | (options.rsv1 ? 0x40 : 0) | opcode;
  if (n < 126) head[1] = 0x80 | n;
  else if (n < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(n, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, Buffer.from(key), maskBytes(payload, key)]);
}

/** ServerFrame is one frame read from the server. */
export interface ServerFrame {
  fin: boolean;
  rsv1: boolean;
  rsv23: number;
  masked: boolean;
  opcode: number;
  payload: Buffer;
}

/** readServerFrames splits the server's bytes into frames; `rest` is an incomplete tail. */
export function readServerFrames(data: Buffer): { frames: ServerFrame[]; rest: Buffer } {
  const frames: ServerFrame[] = [];
  let pos = 0;
  while (data.length - pos >= 2) {
    const b0 = data[pos];
    const b1 = data[pos + 1];
    let length = b1 & 0x7f;
    let at = pos + 2;
    if (length === 126) {
      if (data.length < at + 2) break;
      length = data.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      if (data.length < at + 8) break;
      length = Number(data.readBigUInt64BE(at));
      at += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) at += 4;
    if (data.length < at + length) break;
    frames.push({ fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, rsv23: b0 & 0x30, masked, opcode: b0 & 0x0f, payload: data.subarray(at, at + length) });
    pos = at + length;
  }
  return { frames, rest: data.subarray(pos) };
}

/** closeOf reads a close frame's code (1005 when empty) and reason. */
export function closeOf(frame: ServerFrame): { code: number; reason: string } {
  if (frame.payload.length < 2) return { code: 1005, reason: "" };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.toString("utf8", 2) };
}

/** BadFrameRow is a client byte stream that breaks the protocol, and what the server must answer. */
export interface BadFrameRow {
  name: string;
  wire: string;
  closeCode: number;
  code: string;
  /** at is the index of the byte whose arrival reveals the fault. */
  at: number;
  /** deflate: the row needs permessage-deflate negotiated (RSV1 allowed). */
  deflate?: boolean;
}

/** ROW_MAX_PAYLOAD is the maxPayloadLength every row is written against (the "too big" rows cross it). */
export const ROW_MAX_PAYLOAD = 100;

const K = "[37fa213d]"; // the masking key of RFC 6455 §5.7's examples

function unknownOpcodeRows(): BadFrameRow[] {
  const rows: BadFrameRow[] = [];
  for (const op of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    const b0 = (0x80 | op).toString(16);
    rows.push({ name: `unknown opcode 0x${op.toString(16)}`, wire: `${b0} 80 ${K}`, closeCode: 1002, code: "WS_BAD_OPCODE", at: 1 });
  }
  return rows;
}

function closeCodeRows(): BadFrameRow[] {
  return [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535].map((code) => ({
    name: `close code ${code}`,
    wire: `88 82 ${K} ${code.toString(16).padStart(4, "0")}`,
    closeCode: 1002,
    code: "WS_INVALID_CLOSE_CODE",
    at: 7,
  }));
}

/** BAD_FRAMES lists every class of client fault: each must end the connection with `closeCode`. */
export const BAD_FRAMES: BadFrameRow[] = [
  // Framing (RFC 6455 §5.2, §5.1)
  { name: "unmasked text frame", wire: `81 05 "Hello"`, closeCode: 1002, code: "WS_UNMASKED_FRAME", at: 1 },
  { name: "unmasked ping", wire: `89 00`, closeCode: 1002, code: "WS_UNMASKED_FRAME", at: 1 },
  { name: "RSV1 without permessage-deflate", wire: `c1 85 ${K} "Hello"`, closeCode: 1002, code: "WS_RSV_BITS", at: 1 },
  { name: "RSV2", wire: `a1 85 ${K} "Hello"`, closeCode: 1002, code: "WS_RSV_BITS", at: 1 },
  { name: "RSV3", wire: `91 85 ${K} "Hello"`, closeCode: 1002, code: "WS_RSV_BITS", at: 1 },
  { name: "RSV2 and RSV3 on a ping", wire: `b9 80 ${K}`, closeCode: 1002, code: "WS_RSV_BITS", at: 1 },
  { name: "RSV1 on a continuation (deflate on)", wire: `41 83 ${K} 4a4d03, c0 80 ${K}`, closeCode: 1002, code: "WS_RSV_BITS", at: 10, deflate: true },
  { name: "RSV1 on a ping (deflate on)", wire: `c9 80 ${K}`, closeCode: 1002, code: "WS_RSV_BITS", at: 1, deflate: true },
  ...unknownOpcodeRows(),
  // Control frames (§5.5)
  { name: "ping with a 126-byte payload (16-bit length)", wire: `89 fe 007e ${K} ${"00".repeat(126)}`, closeCode: 1002, code: "WS_CONTROL_TOO_LONG", at: 1 },
  { name: "close with a 64-bit length", wire: `88 ff 0000000000000002 ${K} 03e8`, closeCode: 1002, code: "WS_CONTROL_TOO_LONG", at: 1 },
  { name: "fragmented ping", wire: `09 80 ${K}`, closeCode: 1002, code: "WS_CONTROL_FRAGMENTED", at: 1 },
  { name: "fragmented close", wire: `08 82 ${K} 03e8`, closeCode: 1002, code: "WS_CONTROL_FRAGMENTED", at: 1 },
  // Fragmentation (§5.4)
  { name: "continuation without a message", wire: `80 82 ${K} "hi"`, closeCode: 1002, code: "WS_UNEXPECTED_CONTINUATION", at: 1 },
  { name: "continuation after a complete message", wire: `81 82 ${K} "hi", 80 82 ${K} "hi"`, closeCode: 1002, code: "WS_UNEXPECTED_CONTINUATION", at: 9 },
  { name: "new text frame inside a fragmented message", wire: `01 82 ${K} "hi", 81 82 ${K} "hi"`, closeCode: 1002, code: "WS_EXPECTED_CONTINUATION", at: 9 },
  { name: "new binary frame after a ping inside a fragmented message", wire: `02 81 ${K} 01, 89 80 ${K}, 82 81 ${K} 02`, closeCode: 1002, code: "WS_EXPECTED_CONTINUATION", at: 14 },
  // Lengths (§5.2; limits)
  { name: "64-bit length of 2^63 (top bit set)", wire: `82 ff 8000000000000000 ${K}`, closeCode: 1009, code: "WS_MESSAGE_TOO_BIG", at: 9 },
  { name: "64-bit length of 2^53", wire: `82 ff 0020000000000000 ${K}`, closeCode: 1009, code: "WS_MESSAGE_TOO_BIG", at: 9 },
  { name: "7-bit length above maxPayloadLength", wire: `82 e5 ${K}`, closeCode: 1009, code: "WS_MESSAGE_TOO_BIG", at: 1 },
  { name: "16-bit length above maxPayloadLength", wire: `82 fe 007e ${K}`, closeCode: 1009, code: "WS_MESSAGE_TOO_BIG", at: 3 },
  { name: "64-bit length above maxPayloadLength", wire: `82 ff 0000000100000000 ${K}`, closeCode: 1009, code: "WS_MESSAGE_TOO_BIG", at: 9 },
  {
    name: "fragments adding up past maxPayloadLength",
    wire: `01 b2 ${K} ${"61".repeat(50)}, 00 b3 ${K} ${"61".repeat(51)}`,
    closeCode: 1009,
    code: "WS_MESSAGE_TOO_BIG",
    at: 61, // the second frame's last mask byte: 56 bytes of first frame, then 2 + 4
  },
  // Text must be UTF-8 (§8.1), refused at the first bad byte
  { name: "text with 0xff early in a long frame", wire: `81 8a ${K} 61 62 ff 63 64 65 66 67 68 69`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 8 },
  { name: "overlong '/' (c0 af)", wire: `81 82 ${K} c0af`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 6 },
  { name: "overlong 3-byte NUL (e0 80 80)", wire: `81 83 ${K} e08080`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 7 },
  { name: "overlong 4-byte (f0 8f bf bf)", wire: `81 84 ${K} f08fbfbf`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 7 },
  { name: "UTF-16 surrogate U+D800 (ed a0 80)", wire: `81 83 ${K} eda080`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 7 },
  { name: "U+110000 (f4 90 80 80)", wire: `81 84 ${K} f4908080`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 7 },
  { name: "lead byte f5", wire: `81 84 ${K} f5808080`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 6 },
  { name: "lone continuation byte", wire: `81 81 ${K} 80`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 6 },
  { name: "text ends inside a character", wire: `81 82 ${K} e282`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 7 },
  { name: "bad byte in the second fragment, code point split", wire: `01 81 ${K} e2, 80 82 ${K} 8228`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 14 },
  { name: "fragmented text ends inside a character", wire: `01 81 ${K} e2, 80 81 ${K} 82`, closeCode: 1007, code: "WS_INVALID_UTF8", at: 13 },
  // Close frames (§5.5.1, §7.4)
  { name: "close with a 1-byte body", wire: `88 81 ${K} 03`, closeCode: 1002, code: "WS_INVALID_CLOSE_FRAME", at: 6 },
  ...closeCodeRows(),
  { name: "close reason not UTF-8", wire: `88 84 ${K} 03e8 c328`, closeCode: 1002, code: "WS_INVALID_CLOSE_FRAME", at: 9 },
  { name: "close reason cut inside a character", wire: `88 83 ${K} 03e8 e2`, closeCode: 1002, code: "WS_INVALID_CLOSE_FRAME", at: 8 },
];
