// One field line, `field-name ":" OWS field-value OWS` (RFC 9112 §5), shared by the
// header section and the chunked trailer section.
import { FIELD_VALUE, TOKEN } from "./chars.js";
import { ProtocolError } from "./protocol-error.js";

const SP = 0x20;
const HTAB = 0x09;

// Buffer's native one-byte-per-char decoder; its type definitions leave it out.
const latin1Slice = (Buffer.prototype as unknown as {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}).latin1Slice;

/** latin1 decodes buf[start, end) one byte per char, as field values are ByteStrings. */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(buf, start, end);
}

/** parseFieldLine validates buf[start, end) (CRLF excluded) and appends its name and trimmed value to `fields`. */
export function parseFieldLine(buf: Uint8Array, start: number, end: number, fields: string[]): void {
  const first = buf[start];
  if (first === SP || first === HTAB) {
    // RFC 9112 §5.2: a server MUST either reject obs-fold with 400 or replace it; we reject.
    throw new ProtocolError(400, "HTTP_OBS_FOLD", "obsolete line folding in header section");
  }
  let i = start;
  while (i < end && TOKEN[buf[i]] === 1) i++;
  if (i === start || i === end || buf[i] !== 0x3a) {
    // RFC 9112 §5.1: whitespace between field name and colon MUST be rejected with 400.
    throw new ProtocolError(400, "HTTP_INVALID_HEADER", "malformed header field name");
  }
  let vs = i + 1;
  let ve = end;
  while (vs < ve && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
  while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
  for (let j = vs; j < ve; j++) {
    if (FIELD_VALUE[buf[j]] === 0) {
      // RFC 9110 §5.5: CR, LF and NUL inside a value MUST be rejected (or replaced); we reject.
      throw new ProtocolError(400, "HTTP_INVALID_HEADER", "invalid character in header field value");
    }
  }
  fields.push(latin1(buf, start, i), latin1(buf, vs, ve));
}
