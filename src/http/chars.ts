// Byte classes of RFC 9110 §5.6.2 (token) and §5.5 (field values), as lookup tables indexed by byte.
// The hot path scans char codes against these instead of running regular expressions.

function table(accepts: (byte: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = accepts(b) ? 1 : 0;
  return t;
}

const TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** TOKEN marks tchar: ALPHA, DIGIT and "!#$%&'*+-.^_`|~" (RFC 9110 §5.6.2). */
export const TOKEN = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) || // DIGIT
    (b >= 0x41 && b <= 0x5a) || // upper ALPHA
    (b >= 0x61 && b <= 0x7a) || // lower ALPHA
    TCHAR_SYMBOLS.includes(String.fromCharCode(b)),
);

/** FIELD_VALUE marks bytes allowed inside a field value: VCHAR, obs-text, SP and HTAB (RFC 9110 §5.5). */
export const FIELD_VALUE = table((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f));

/** TARGET marks bytes allowed in a request-target: visible US-ASCII only (RFC 9112 §3.2, RFC 3986). */
export const TARGET = table((b) => b > 0x20 && b < 0x7f);

/** HOST marks bytes allowed in a Host field value: reg-name, IP-literal brackets and the port colon (RFC 3986 §3.2.2). */
export const HOST = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    "-._~!$&'()*+,;=:[]%".includes(String.fromCharCode(b)),
);

/** HEX maps a hex digit byte to its value, and every other byte to 255. */
export const HEX = (() => {
  const t = new Uint8Array(256).fill(255);
  for (let d = 0; d < 10; d++) t[0x30 + d] = d;
  for (let d = 0; d < 6; d++) {
    t[0x41 + d] = 10 + d;
    t[0x61 + d] = 10 + d;
  }
  return t;
})();

/** isToken reports whether a whole string is a non-empty token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || TOKEN[c] === 0) return false;
  }
  return true;
}

/** isFieldValue reports whether a string may be sent as a field value: no CR, LF, NUL or other CTL but HTAB. */
export function isFieldValue(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || FIELD_VALUE[c] === 0) return false;
  }
  return true;
}
