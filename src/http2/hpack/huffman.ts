// The HPACK Huffman code (RFC 7541 §5.2, Appendix B): the codes rebuilt from their bit lengths,
// a decoder driven by a 4-bit-nibble transition table built once at load, and the encoder.
import { connectionError } from "../h2-error.js";

// CODE_LENGTHS[symbol] is Appendix B's "len in bits" for octets 0 to 255 and EOS (256), 16 a row.
// The code is canonical (codes of one length are consecutive, in symbol order; a shorter code
// sorts before a longer one), so the lengths alone rebuild every code.
const CODE_LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, //         0x20 ' ' to '/'
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, //              0x30 '0' to '?'
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, //                0x40 '@' to 'O'
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, //             0x50 'P' to '_'
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, //                0x60 '`' to 'o'
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, //            0x70 'p' to DEL
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0
  30, //                                                             EOS
];

const EOS = 256;
const SYMBOLS = 257;

/** HUFFMAN_CODES[symbol] is the code of octet `symbol` (256 is EOS), right-aligned; its length is in {@link HUFFMAN_CODE_LENGTHS}. */
export const HUFFMAN_CODES: Uint32Array = buildCodes();

/** HUFFMAN_CODE_LENGTHS[symbol] is the bit length of {@link HUFFMAN_CODES}[symbol]. */
export const HUFFMAN_CODE_LENGTHS: Uint8Array = Uint8Array.from(CODE_LENGTHS);

function buildCodes(): Uint32Array {
  const codes = new Uint32Array(SYMBOLS);
  const order = Array.from({ length: SYMBOLS }, (_, s) => s);
  order.sort((a, b) => CODE_LENGTHS[a] - CODE_LENGTHS[b] || a - b);
  let code = 0;
  let length = CODE_LENGTHS[order[0]];
  for (let i = 1; i < SYMBOLS; i++) {
    const next = CODE_LENGTHS[order[i]];
    code = (code + 1) << (next - length);
    length = next;
    codes[order[i]] = code;
  }
  return codes;
}

// The decoder's states are the code tree's 256 inner nodes (0 is the root). A transition entry,
// indexed by state * 16 + nibble, packs the next state (bits 0-7), the octet it completes (bits
// 8-15, when EMIT is set), ACCEPT (the bits since the last symbol are at most 7 ones, a valid
// end: §5.2) and FAIL (the nibble completes EOS, which "MUST be treated as a decoding error").
const EMIT = 1 << 16;
const ACCEPT = 1 << 17;
const FAIL = 1 << 18;
const STATES = 256;
const MAX_PADDING_BITS = 7;

interface CodeTree {
  /** children[node * 2 + bit]: an inner node (>= 0) or a leaf, as -(symbol + 1). */
  children: Int32Array;
  /** onesDepth[node]: the node's depth when it lies on the all-ones path from the root, else 0. */
  onesDepth: Uint8Array;
}

function buildTree(): CodeTree {
  const children = new Int32Array(STATES * 2);
  let inner = 1;
  for (let symbol = 0; symbol < SYMBOLS; symbol++) {
    const length = CODE_LENGTHS[symbol];
    let node = 0;
    for (let bit = length - 1; bit > 0; bit--) {
      const slot = node * 2 + ((HUFFMAN_CODES[symbol] >>> bit) & 1);
      if (children[slot] === 0) children[slot] = inner++;
      node = children[slot]!;
    }
    children[node * 2 + (HUFFMAN_CODES[symbol] & 1)] = -(symbol + 1);
  }
  const onesDepth = new Uint8Array(STATES);
  for (let node = 0, depth = 0; node >= 0 && depth < 32; depth++, node = children[node * 2 + 1]!) onesDepth[node] = depth;
  return { children, onesDepth };
}

function buildTransitions({ children, onesDepth }: CodeTree): Uint32Array {
  const table = new Uint32Array(STATES * 16);
  for (let state = 0; state < STATES; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let bit = 3; bit >= 0 && entry !== FAIL; bit--) {
        const next = children[node * 2 + ((nibble >>> bit) & 1)];
        if (next >= 0) node = next;
        else if (next === -(EOS + 1)) entry = FAIL;
        else {
          entry = EMIT | ((-next - 1) << 8);
          node = 0;
        }
      }
      const accept = node === 0 || (onesDepth[node] > 0 && onesDepth[node] <= MAX_PADDING_BITS);
      table[state * 16 + nibble] = entry === FAIL ? FAIL : entry | node | (accept ? ACCEPT : 0);
    }
  }
  return table;
}

const tree = buildTree();
const TRANSITIONS = buildTransitions(tree);

/** huffmanDecodedMaxLength is the most octets `encodedLength` Huffman-coded octets can decode to (every code is at least 5 bits). */
export function huffmanDecodedMaxLength(encodedLength: number): number {
  return Math.floor((encodedLength * 8) / 5);
}

/**
 * huffmanDecode decodes the Huffman-coded octets `src[start, end)` into `out` from index 0 and
 * returns how many octets it wrote; `out` must hold {@link huffmanDecodedMaxLength} octets. EOS
 * inside the string, padding longer than 7 bits, or padding that is not the EOS prefix (all ones)
 * throws a COMPRESSION_ERROR (RFC 7541 §5.2).
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let entry = ACCEPT; // state 0: an empty string is valid
  let n = 0;
  for (let i = start; i < end; i++) {
    const octet = src[i];
    entry = TRANSITIONS[((entry & 0xff) << 4) | (octet >>> 4)]!;
    if ((entry & EMIT) !== 0) out[n++] = (entry >>> 8) & 0xff;
    else if ((entry & FAIL) !== 0) throw huffmanError("EOS symbol inside a string");
    entry = TRANSITIONS[((entry & 0xff) << 4) | (octet & 0x0f)]!;
    if ((entry & EMIT) !== 0) out[n++] = (entry >>> 8) & 0xff;
    else if ((entry & FAIL) !== 0) throw huffmanError("EOS symbol inside a string");
  }
  if ((entry & ACCEPT) === 0) {
    const tooLong = tree.onesDepth[entry & 0xff] > MAX_PADDING_BITS;
    throw huffmanError(tooLong ? "padding longer than 7 bits" : "padding is not a prefix of EOS (all ones)");
  }
  return n;
}

function huffmanError(message: string) {
  return connectionError("COMPRESSION_ERROR", `HPACK Huffman string: ${message}`);
}

/** huffmanEncodedLength returns how many octets {@link huffmanEncode} writes for `str` (each char taken as one octet, its low 8 bits). */
export function huffmanEncodedLength(str: string): number {
  let bits = 0;
  for (let i = 0; i < str.length; i++) bits += HUFFMAN_CODE_LENGTHS[str.charCodeAt(i) & 0xff];
  return (bits + 7) >>> 3;
}

/**
 * huffmanEncode writes `str` Huffman-coded at `out[pos]`, padded with the EOS prefix, and returns
 * the position after it. Each char is one octet (its low 8 bits, as latin1); the caller makes
 * room for {@link huffmanEncodedLength} octets.
 */
export function huffmanEncode(str: string, out: Uint8Array, pos: number): number {
  let acc = 0; // the pending bits, fewer than 8 between symbols
  let bits = 0;
  for (let i = 0; i < str.length; i++) {
    const symbol = str.charCodeAt(i) & 0xff;
    const length = HUFFMAN_CODE_LENGTHS[symbol];
    const code = HUFFMAN_CODES[symbol];
    if (bits + length <= 31) {
      acc = (acc << length) | code;
      bits += length;
    } else {
      // A code over 24 bits: its high part first, so the accumulator stays within 31 bits.
      acc = (acc << (length - 16)) | (code >>> 16);
      bits += length - 16;
      for (; bits >= 8; bits -= 8) out[pos++] = acc >>> (bits - 8);
      acc &= (1 << bits) - 1;
      acc = (acc << 16) | (code & 0xffff);
      bits += 16;
    }
    for (; bits >= 8; bits -= 8) out[pos++] = acc >>> (bits - 8);
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[pos++] = (acc << (8 - bits)) | (0xff >>> bits);
  return pos;
}
