// The ClientHello peek and its ticket key names: real ClientHellos from openssl s_client (TLS 1.2
// resuming with a session_ticket, TLS 1.3 with a pre_shared_key identity, a fresh one), built ones
// for each extension shape, and truncated or garbage input (null, never a throw); the peek is fed
// whole, split at every byte, and byte by byte.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { ClientHelloPeek, ticketKeyNames } from "../../src/net/client-hello.js";
import { captureClientHello } from "../support/client-hello-capture.js";
import { sClient } from "../support/openssl-client.js";
import { makeCert } from "../support/ops-tls.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-client-hello-"));
const keys = Buffer.concat([Buffer.from("the key's name!!"), Buffer.alloc(32, 7)]); // 16 bytes name, 16 HMAC, 16 AES
const name = keys.subarray(0, 16);

/** Row: input bytes and the key names expected of them (null: not a whole, well-formed ClientHello). */
type Row = [label: string, bytes: Buffer, names: Buffer[] | null];
const rows: Row[] = [];

before(async () => {
  const cert = makeCert(dir, "a", "a.test");
  const server = tls.createServer({ cert: cert.cert, key: cert.key, ticketKeys: keys }, (socket) => {
    socket.on("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  try {
    for (const version of ["-tls1_2", "-tls1_3"]) {
      const session = path.join(dir, `session${version}`);
      // -ign_eof and a whole request: s_client stays until TLS 1.3's tickets (sent after the handshake) have arrived.
      const out = await sClient(port, [version, "-ign_eof", "-sess_out", session], "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.equal(out.session, "New", out.text);
      rows.push([`openssl ${version} resuming`, await captureClientHello([version, "-sess_in", session]), [name]]);
    }
  } finally {
    server.close();
  }
  rows.push(["openssl, no session", await captureClientHello([]), []]);
  rows.push(...builtRows());
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("ticketKeyNames", () => {
  it("reads the key names of real and built ClientHellos, and refuses malformed ones", () => {
    for (const [label, bytes, names] of rows) assert.deepEqual(ticketKeyNames(bytes), names, label);
  });

  it("the TLS 1.2 hello offers its ticket in session_ticket (35), the TLS 1.3 hello in pre_shared_key (41)", () => {
    const [tls12, tls13] = rows;
    assert.deepEqual(extensionTypes(tls12[1]).filter((t) => t === 35 || t === 41), [35]);
    assert.ok(extensionTypes(tls13[1]).includes(41));
  });

  it("every truncation of a well-formed hello is null; bytes after the record change nothing", () => {
    for (const [label, bytes, names] of rows) {
      if (names === null) continue;
      for (let n = 0; n < bytes.length; n++) assert.equal(ticketKeyNames(bytes.subarray(0, n)), null, `${label} cut to ${n} bytes`);
      assert.deepEqual(ticketKeyNames(Buffer.concat([bytes, Buffer.from([0x17, 3, 3, 0, 1, 0])])), names, `${label} and a record after it`);
    }
  });

  it("never throws on garbage: 2,000 random inputs (fixed seed), and random bytes under a valid record header", () => {
    let seed = 0x2f6b_1d3;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 24;
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: random() + random() }, random));
      if (i % 2 === 0) bytes.set([0x16, 3, 1, 0, Math.max(bytes.length - 5, 0), 1], 0);
      const names = ticketKeyNames(bytes);
      assert.ok(names === null || Array.isArray(names));
    }
  });
});

describe("ClientHelloPeek", () => {
  it("is done once the first record is whole, fed whole, split at every byte, and byte by byte", () => {
    for (const [label, bytes, names] of rows) {
      if (bytes.length > 4096) continue; // the record past 2^14 has its own case below
      const splits = [[bytes], ...Array.from({ length: Math.max(bytes.length - 1, 0) }, (_, i) => [bytes.subarray(0, i + 1), bytes.subarray(i + 1)]), [...bytes].map((b) => Buffer.from([b]))];
      for (const chunks of splits) {
        const peek = new ClientHelloPeek();
        const states = chunks.map((chunk) => peek.push(chunk));
        let pushed = 0;
        const expected = chunks.map((chunk) => expectedState(bytes, (pushed += chunk.length)));
        assert.deepEqual(states, expected, `${label} in ${chunks.length} chunks`);
        assert.ok(peek.bytes.equals(bytes), `${label}: the bytes to put back`);
        assert.deepEqual(peek.keyNames(), names ?? [], label);
      }
    }
  });

  it("says plain at the first byte of anything but a handshake record; waits through empty chunks", () => {
    for (const first of ["G", "\x80", "\x17", "\x15"]) assert.equal(new ClientHelloPeek().push(Buffer.from(`${first}ET / HTTP/1.1\r\n`, "latin1")), "plain", JSON.stringify(first));
    const peek = new ClientHelloPeek();
    assert.equal(peek.push(Buffer.alloc(0)), "more");
    assert.equal(peek.push(Buffer.from("P")), "plain");
  });

  it("stops waiting after the header of a record longer than 2^14 bytes (TLS refuses it), so memory stays bounded", () => {
    const peek = new ClientHelloPeek();
    assert.equal(peek.push(Buffer.from([0x16, 3, 1])), "more");
    assert.equal(peek.push(Buffer.from([0x40, 0x01])), "done"); // 16385
    assert.deepEqual(peek.keyNames(), []);
    assert.equal(new ClientHelloPeek().push(Buffer.from([0x16, 3, 1, 0x40, 0x00])), "more", "16384 is allowed: wait for it");
  });
});

/** expectedState is what the peek should say after the first `n` bytes of `bytes`: plain unless they begin with 0x16, done once the first record is in. */
function expectedState(bytes: Buffer, n: number): string {
  if (n === 0) return "more";
  if (bytes[0] !== 0x16) return "plain";
  return n >= 5 && n >= 5 + bytes.readUInt16BE(3) ? "done" : "more";
}

/** builtRows are ClientHellos built field by field, one for each extension shape and each way to be malformed. */
function builtRows(): Row[] {
  const ticket = Buffer.concat([Buffer.from("0123456789abcdef"), Buffer.alloc(100, 1)]);
  const psk = (identities: Buffer[], declared?: number): Buffer => {
    const ids = Buffer.concat(identities.map((id) => Buffer.concat([u16(id.length), id, Buffer.alloc(4)])));
    const binders = Buffer.concat([u16(33), Buffer.from([32]), Buffer.alloc(32)]);
    return Buffer.concat([u16(declared ?? ids.length), ids, binders]);
  };
  const other = Buffer.from("other identity, 24 bytes");
  return [
    ["session_ticket", hello([[35, ticket]]), [ticket.subarray(0, 16)]],
    ["empty session_ticket (asking for one)", hello([[35, Buffer.alloc(0)]]), []],
    ["session_ticket of 15 bytes: too short to carry a name", hello([[35, Buffer.alloc(15)]]), []],
    ["two PSK identities, after other extensions", hello([[0, Buffer.from([0, 4, 0, 0, 1, 97])], [43, Buffer.from([2, 3, 4])], [41, psk([ticket, other])]]), [ticket.subarray(0, 16), other.subarray(0, 16)]],
    ["a PSK identity of 8 bytes", hello([[41, psk([Buffer.alloc(8)])]]), []],
    ["both extensions", hello([[35, other], [41, psk([ticket])]]), [other.subarray(0, 16), ticket.subarray(0, 16)]],
    ["no extensions block", hello(null), []],
    ["PSK identities longer than the extension", hello([[41, psk([ticket], 500)]]), null],
    ["PSK identity without its ticket age", hello([[41, Buffer.concat([u16(18), u16(16), Buffer.alloc(16)])]]), null],
    ["extension longer than the block", Buffer.from(hello([[35, ticket]]).toString("hex").replace("00230074", "002300ff"), "hex"), null],
    ["session id of 33 bytes", hello([[35, ticket]], { sessionId: Buffer.alloc(33) }), null],
    ["a ServerHello (type 2)", hello([[35, ticket]], { type: 2 }), null],
    ["an application_data record (0x17)", hello([[35, ticket]], { record: 0x17 }), null],
    ["a ClientHello longer than its record (split over two)", hello([[35, ticket]], { extraLength: 10 }), null],
    ["a record longer than 2^14", Buffer.concat([Buffer.from([0x16, 3, 1, 0x40, 0x01]), Buffer.alloc(16_385)]), null],
    ["plain HTTP", Buffer.from("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), null],
    ["nothing", Buffer.alloc(0), null],
  ];
}

/** hello builds a ClientHello record with these extensions ([type, data]; null for no extensions block at all). */
function hello(extensions: [number, Buffer][] | null, shape: { sessionId?: Buffer; type?: number; record?: number; extraLength?: number } = {}): Buffer {
  const sessionId = shape.sessionId ?? Buffer.alloc(32, 9);
  const parts = [Buffer.from([3, 3]), Buffer.alloc(32, 5), Buffer.from([sessionId.length]), sessionId, u16(4), Buffer.from([0x13, 1, 0, 0xff]), Buffer.from([1, 0])];
  if (extensions !== null) {
    const block = Buffer.concat(extensions.map(([type, data]) => Buffer.concat([u16(type), u16(data.length), data])));
    parts.push(u16(block.length), block);
  }
  const body = Buffer.concat(parts);
  const length = body.length + (shape.extraLength ?? 0);
  const message = Buffer.concat([Buffer.from([shape.type ?? 1, length >> 16, (length >> 8) & 0xff, length & 0xff]), body]);
  return Buffer.concat([Buffer.from([shape.record ?? 0x16, 3, 1]), u16(message.length), message]);
}

function u16(n: number): Buffer {
  return Buffer.from([n >> 8, n & 0xff]);
}

/** extensionTypes lists a well-formed hello's extension types (for the fixtures' own sanity). */
function extensionTypes(record: Buffer): number[] {
  let p = 5 + 4 + 34;
  p += 1 + record[p];
  p += 2 + record.readUInt16BE(p);
  p += 1 + record[p];
  const end = p + 2 + record.readUInt16BE(p);
  const types: number[] = [];
  for (p += 2; p < end; p += 4 + record.readUInt16BE(p + 2)) types.push(record.readUInt16BE(p));
  return types;
}
