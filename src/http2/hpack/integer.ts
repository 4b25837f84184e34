// HPACK prefix integers (RFC 7541 §5.1): an N-bit prefix, then 7-bit continuation octets.
// The decoder refuses values above 2^32 - 1 and runs of more than five continuation octets.
import { connectionError, type H2Error } from "../h2-error.js";

/** MAX_INTEGER is the largest integer the decoder accepts (2^32 - 1). */
export const MAX_INTEGER = 0xffffffff;

// Five continuation octets carry 35 bits: enough for 2^32 - 1 after any prefix, while a longer
// run (zero octets padding a small value) is refused: "Integer encodings that exceed
// implementation limits -- in value or octet length -- MUST be treated as decoding errors" (§5.1).
const MAX_CONTINUATION_OCTETS = 5;

/** Cursor is a read position in a header block: the next octet is `block[pos]`, and `end` is one past the last. */
export interface Cursor {
  pos: number;
  end: number;
}

function integerError(message: string): H2Error {
  return connectionError("COMPRESSION_ERROR", `HPACK integer ${message}`);
}

/**
 * decodeInteger reads a `prefixBits`-bit prefix integer at `cursor.pos`, ignoring the octet's
 * high flag bits, and advances the cursor past it. A block that ends inside the integer, a value
 * above {@link MAX_INTEGER} or an over-long encoding throws a COMPRESSION_ERROR.
 */
export function decodeInteger(block: Uint8Array, cursor: Cursor, prefixBits: number): number {
  const mask = (1 << prefixBits) - 1;
  let pos = cursor.pos;
  if (pos >= cursor.end) throw integerError("missing: the block ends");
  let value = block[pos++] & mask;
  if (value === mask) {
    let factor = 1;
    for (let n = 0; ; n++) {
      if (n === MAX_CONTINUATION_OCTETS) throw integerError(`longer than ${MAX_CONTINUATION_OCTETS} continuation octets`);
      if (pos >= cursor.end) throw integerError("truncated: the block ends inside it");
      const octet = block[pos++];
      value += (octet & 0x7f) * factor;
      if (value > MAX_INTEGER) throw integerError("above 2^32 - 1");
      if ((octet & 0x80) === 0) break;
      factor *= 128;
    }
  }
  cursor.pos = pos;
  return value;
}

/**
 * encodeInteger writes `value` (0 to {@link MAX_INTEGER}) as a `prefixBits`-bit prefix integer at
 * `out[pos]`, OR-ing `flags` into the first octet, and returns the position after it. It writes
 * at most six octets; the caller makes room.
 */
export function encodeInteger(out: Uint8Array, pos: number, value: number, prefixBits: number, flags: number): number {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out[pos++] = flags | value;
    return pos;
  }
  out[pos++] = flags | mask;
  let rest = value - mask;
  while (rest >= 0x80) {
    out[pos++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[pos++] = rest;
  return pos;
}
