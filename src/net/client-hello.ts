// The first TLS record of a connection, read before Node's TLS sees it: ClientHelloPeek buffers it
// (RFC 8446 §5.1), and ticketKeyNames finds the session tickets it offers (RFC 5077 §3.2's
// session_ticket extension, RFC 8446 §4.2.11's pre_shared_key identities), whose first 16 bytes
// name the key that made them in OpenSSL's ticket format.

/** TICKET_KEY_NAME_BYTES: a ticket begins with the 16-byte name of the key that encrypted it. */
export const TICKET_KEY_NAME_BYTES = 16;

const RECORD_HEADER_BYTES = 5;
/** MAX_RECORD_BYTES: "The length MUST NOT exceed 2^14 bytes" (RFC 8446 §5.1, TLSPlaintext.length). */
const MAX_RECORD_BYTES = 16_384;
const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 1;
const SESSION_TICKET = 35; // RFC 5077 §3.2
const PRE_SHARED_KEY = 41; // RFC 8446 §4.2.11

/**
 * ClientHelloPeek collects a connection's first bytes until its first TLS record is whole: at most
 * 5 + 16384 bytes, so its memory is bounded whatever the peer sends.
 */
export class ClientHelloPeek {
  #chunks: Buffer[] = [];
  #length = 0;

  /**
   * push adds the next bytes read: "plain" when the first byte does not start a handshake record
   * (plain HTTP to the TLS port), "more" until the first record is whole, then "done" (also at
   * once for a header announcing more than a record may hold: TLS will refuse it).
   */
  push(chunk: Buffer): "plain" | "more" | "done" {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    if (this.#first(0) !== HANDSHAKE_RECORD) return this.#length === 0 ? "more" : "plain";
    if (this.#length < RECORD_HEADER_BYTES) return "more";
    const recordLength = (this.#first(3) << 8) | this.#first(4);
    if (recordLength > MAX_RECORD_BYTES) return "done";
    return this.#length >= RECORD_HEADER_BYTES + recordLength ? "done" : "more";
  }

  /** bytes is everything pushed, in order, to put back on the socket. */
  get bytes(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** keyNames lists the key names of the tickets in the first record; none when it is not a whole, well-formed ClientHello. */
  keyNames(): Buffer[] {
    return ticketKeyNames(this.bytes) ?? [];
  }

  /** #first reads byte `i` of what was pushed (-1 past the end) without joining the chunks. */
  #first(i: number): number {
    for (const chunk of this.#chunks) {
      if (i < chunk.length) return chunk[i];
      i -= chunk.length;
    }
    return -1;
  }
}

/**
 * ticketKeyNames returns the first 16 bytes of each ticket a ClientHello offers (the TLS 1.2
 * session_ticket, then the TLS 1.3 PSK identities), [] when it offers none, or null when `bytes`
 * do not begin with one whole, well-formed ClientHello record (truncated, garbage, or a ClientHello
 * split over several records). It never throws and reads nothing past the lengths it checked.
 */
export function ticketKeyNames(bytes: Uint8Array): Buffer[] | null {
  const record = new Reader(bytes);
  if (record.u8() !== HANDSHAKE_RECORD) return null;
  record.skip(2); // legacy_record_version
  const fragment = record.vector(2);
  if (fragment === null || fragment.remaining > MAX_RECORD_BYTES) return null;
  if (fragment.u8() !== CLIENT_HELLO) return null;
  const hello = fragment.vector(3);
  if (hello === null) return null;
  hello.skip(2 + 32); // legacy_version, random
  const sessionId = hello.vector(1); // legacy_session_id<0..32>
  const skipped = [hello.vector(2), hello.vector(1)]; // cipher_suites, legacy_compression_methods
  if (sessionId === null || sessionId.remaining > 32 || skipped.includes(null) || !hello.ok) return null;
  if (hello.remaining === 0) return []; // no extensions at all (RFC 5246 §7.4.1.2 allows it)
  const extensions = hello.vector(2);
  return extensions === null ? null : namesIn(extensions);
}

/** namesIn walks the extensions block, collecting the tickets' key names. */
function namesIn(extensions: Reader): Buffer[] | null {
  const names: Buffer[] = [];
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const data = extensions.vector(2);
    if (data === null) return null;
    if (type === SESSION_TICKET) {
      if (data.remaining >= TICKET_KEY_NAME_BYTES) names.push(data.take(TICKET_KEY_NAME_BYTES)!);
    } else if (type === PRE_SHARED_KEY) {
      if (!identityNames(data, names)) return null;
    }
  }
  return names;
}

/** identityNames reads OfferedPsks.identities (RFC 8446 §4.2.11): each identity<1..2^16-1>, then a 4-byte obfuscated_ticket_age. */
function identityNames(data: Reader, names: Buffer[]): boolean {
  const identities = data.vector(2);
  if (identities === null) return false;
  while (identities.remaining > 0) {
    const identity = identities.vector(2);
    identities.skip(4);
    if (identity === null || !identities.ok) return false;
    if (identity.remaining >= TICKET_KEY_NAME_BYTES) names.push(identity.take(TICKET_KEY_NAME_BYTES)!);
  }
  return true;
}

/** Reader reads big-endian integers and length-prefixed vectors; a read past the end clears `ok` instead of throwing. */
class Reader {
  readonly #bytes: Uint8Array;
  #pos: number;
  readonly #end: number;
  ok = true;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.#bytes = bytes;
    this.#pos = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#pos;
  }

  u8(): number {
    return this.#uint(1);
  }

  u16(): number {
    return this.#uint(2);
  }

  skip(n: number): void {
    if (this.#has(n)) this.#pos += n;
  }

  /** take returns the next n bytes (a view, not a copy), or null when fewer remain. */
  take(n: number): Buffer | null {
    if (!this.#has(n)) return null;
    const view = Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset + this.#pos, n);
    this.#pos += n;
    return view;
  }

  /** vector reads a length of `lengthBytes` bytes and returns a Reader over that many bytes, or null when they are not all there. */
  vector(lengthBytes: number): Reader | null {
    const length = this.#uint(lengthBytes);
    if (!this.#has(length)) return null;
    const inner = new Reader(this.#bytes, this.#pos, this.#pos + length);
    this.#pos += length;
    return inner;
  }

  /** #has tells whether n more bytes can be read (n is -1 after a failed length read); if not, `ok` turns false for good. */
  #has(n: number): boolean {
    if (this.ok && n >= 0 && n <= this.remaining) return true;
    this.ok = false;
    return false;
  }

  #uint(n: number): number {
    if (!this.#has(n)) return -1;
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 256 + this.#bytes[this.#pos + i];
    this.#pos += n;
    return value;
  }
}
