// HpackDecoder: header blocks to field lists (RFC 7541 §3, §6), with the dynamic table kept in
// sync even when a block is over the header-list limits (RFC 9113 §6.5.2, §8.2.3).
import { connectionError, type H2Error } from "../h2-error.js";
import { DynamicTable, ENTRY_OVERHEAD, type DynamicTableView } from "./dynamic-table.js";
import { huffmanDecode, huffmanDecodedMaxLength } from "./huffman.js";
import { decodeInteger, type Cursor } from "./integer.js";
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from "./static-table.js";

const latin1Slice = (Buffer.prototype as unknown as {
  latin1Slice(this: Uint8Array, start: number, end: number): string;
}).latin1Slice;

const EMPTY = new Uint8Array(0);

/** HpackDecoderLimits bounds what one decoder accepts; sizes are octets. */
export interface HpackDecoderLimits {
  /** maxTableSize: our SETTINGS_HEADER_TABLE_SIZE; the table starts at it, and no size update may exceed it. */
  maxTableSize: number;
  /** maxHeaderListSize: most octets in one block's field list, counting name + value + 32 per field (RFC 9113 §6.5.2). */
  maxHeaderListSize: number;
  /** maxFieldCount: most fields in one block (each cookie crumb counts). */
  maxFieldCount: number;
  /** maxStringLength: longest name or value, checked on the encoded length before decoding; defaults to maxHeaderListSize. */
  maxStringLength?: number;
}

/** OverLimit names the limit a block crossed. */
export type OverLimit = "maxHeaderListSize" | "maxFieldCount" | "maxStringLength";

/** DecodedBlock is the outcome of decoding one complete header block. */
export interface DecodedBlock {
  /** fields is the flat list [name, value, name, value, ...] as sent (names not lowercased); empty when overLimit. */
  fields: string[];
  /** neverIndexed[i] tells whether field i (fields[2i], fields[2i+1]) came as "never indexed" (§6.2.3); null when none did. */
  neverIndexed: boolean[] | null;
  /** overLimit names the limit the block crossed (the caller answers with a stream error or 431), or null. */
  overLimit: OverLimit | null;
  /** headerListSize is the list's size (RFC 9113 §6.5.2) as counted: when overLimit, only up to the field that crossed it. */
  headerListSize: number;
}

const enum Literal {
  Incremental,
  WithoutIndexing,
  NeverIndexed,
}

function compressionError(message: string): H2Error {
  return connectionError("COMPRESSION_ERROR", `HPACK: ${message}`);
}

/**
 * HpackDecoder decodes the header blocks of one connection, in order. `decode` throws an
 * {@link H2Error} COMPRESSION_ERROR (a connection error: discard the decoder) for any coding
 * fault. A block that crosses a header-list limit is still decoded to its end, so the dynamic
 * table stays in sync, but its fields are dropped (not collected past the limit) and `overLimit`
 * says which limit it crossed; the connection can go on.
 */
export class HpackDecoder {
  #table: DynamicTable;
  #maxTableSize: number;
  #requiredUpdate = Infinity; // a lowered maxTableSize the next block must start by honouring
  #maxListSize: number;
  #maxFieldCount: number;
  #maxStringLength: number;
  #block: Uint8Array = EMPTY;
  #cursor: Cursor = { pos: 0, end: 0 };
  #scratch = Buffer.allocUnsafe(256);
  #fields: string[] = [];
  #neverIndexed: boolean[] | null = null;
  #listSize = 0;
  #fieldCount = 0;
  #overLimit: OverLimit | null = null;

  constructor(limits: HpackDecoderLimits) {
    this.#maxTableSize = limits.maxTableSize;
    this.#table = new DynamicTable(limits.maxTableSize);
    this.#maxListSize = limits.maxHeaderListSize;
    this.#maxFieldCount = limits.maxFieldCount;
    this.#maxStringLength = limits.maxStringLength ?? limits.maxHeaderListSize;
  }

  /** table is the dynamic table, for inspection. */
  get table(): DynamicTableView {
    return this.#table;
  }

  /**
   * setMaxTableSize applies a new SETTINGS_HEADER_TABLE_SIZE of ours once the peer has
   * acknowledged it. When it is below the table's current maximum, the next block must begin
   * with a size update to at most it (RFC 7541 §4.2), or decoding it fails.
   */
  setMaxTableSize(maxTableSize: number): void {
    this.#maxTableSize = maxTableSize;
    if (maxTableSize < this.#table.maxSize) this.#requiredUpdate = Math.min(this.#requiredUpdate, maxTableSize);
  }

  /** decode decodes one complete header block (HEADERS plus its CONTINUATIONs, joined). */
  decode(block: Uint8Array): DecodedBlock {
    this.#block = block;
    this.#cursor.pos = 0;
    this.#cursor.end = block.length;
    this.#fields = [];
    this.#neverIndexed = null;
    this.#listSize = 0;
    this.#fieldCount = 0;
    this.#overLimit = null;
    try {
      this.#readSizeUpdates();
      while (this.#cursor.pos < this.#cursor.end) this.#readField();
    } finally {
      this.#block = EMPTY; // do not hold on to the caller's buffer
    }
    const overLimit = this.#overLimit;
    if (overLimit !== null) return { fields: [], neverIndexed: null, overLimit, headerListSize: this.#listSize };
    return { fields: this.#fields, neverIndexed: this.#neverIndexed, overLimit, headerListSize: this.#listSize };
  }

  // Dynamic table size updates "MUST occur at the beginning of the first header block following
  // the change" and no more than two may come (§4.2), each at most our limit (§6.3).
  #readSizeUpdates(): void {
    const block = this.#block;
    const cursor = this.#cursor;
    let smallest = Infinity;
    for (let updates = 0; cursor.pos < cursor.end && (block[cursor.pos] & 0xe0) === 0x20; updates++) {
      if (updates === 2) throw compressionError("more than two dynamic table size updates in a block");
      const size = decodeInteger(block, cursor, 5);
      if (size > this.#maxTableSize) throw compressionError(`dynamic table size update to ${size}, above the limit ${this.#maxTableSize}`);
      this.#table.setMaxSize(size);
      smallest = Math.min(smallest, size);
    }
    if (smallest > this.#requiredUpdate) throw compressionError(`the block must begin with a dynamic table size update to at most ${this.#requiredUpdate}`);
    this.#requiredUpdate = Infinity;
  }

  #readField(): void {
    const first = this.#block[this.#cursor.pos];
    if ((first & 0x80) !== 0) this.#readIndexed();
    else if ((first & 0x40) !== 0) this.#readLiteral(6, Literal.Incremental);
    else if ((first & 0x20) !== 0) throw compressionError("dynamic table size update after the start of the block");
    else this.#readLiteral(4, (first & 0x10) !== 0 ? Literal.NeverIndexed : Literal.WithoutIndexing);
  }

  // §6.1: an indexed field; "The index value of 0 is not used. It MUST be treated as a decoding error".
  #readIndexed(): void {
    const index = decodeInteger(this.#block, this.#cursor, 7);
    if (index === 0) throw compressionError("indexed field with index 0");
    if (index <= STATIC_TABLE_LENGTH) {
      const entry = STATIC_TABLE[index - 1];
      this.#collect(entry[0], entry[1], false);
      return;
    }
    const i = this.#dynamicIndex(index);
    this.#collect(this.#table.name(i), this.#table.value(i), false);
  }

  #dynamicIndex(index: number): number {
    const i = index - STATIC_TABLE_LENGTH - 1;
    if (i >= this.#table.length) throw compressionError(`index ${index} is past the end of the tables`);
    return i;
  }

  // §6.2: a literal field, its name indexed (non-zero prefix) or a literal string.
  #readLiteral(prefixBits: number, kind: Literal): void {
    const nameIndex = decodeInteger(this.#block, this.#cursor, prefixBits);
    const keep = kind === Literal.Incremental; // the table needs it even when the list is over a limit
    let name: string;
    if (nameIndex === 0) name = this.#readString(keep);
    else if (nameIndex <= STATIC_TABLE_LENGTH) name = STATIC_TABLE[nameIndex - 1][0];
    else name = this.#table.name(this.#dynamicIndex(nameIndex));
    const value = this.#readString(keep);
    if (keep) this.#table.add(name, value);
    this.#collect(name, value, kind === Literal.NeverIndexed);
  }

  // §5.2: a string literal. Its length is checked against the block and the limits before any
  // decoding, so a huge length claim costs nothing; once the block is over a limit, strings the
  // table does not need are skipped undecoded.
  #readString(keep: boolean): string {
    const block = this.#block;
    const cursor = this.#cursor;
    const huffman = cursor.pos < cursor.end && (block[cursor.pos] & 0x80) !== 0;
    const length = decodeInteger(block, cursor, 7);
    if (length > cursor.end - cursor.pos) throw compressionError(`string of ${length} octets runs past the end of the block`);
    const start = cursor.pos;
    cursor.pos += length;
    if (length > this.#maxStringLength) this.#overLimit ??= "maxStringLength";
    if (this.#overLimit !== null && !keep) return "";
    if (!huffman) return latin1Slice.call(block, start, cursor.pos);
    const needed = huffmanDecodedMaxLength(length);
    if (this.#scratch.length < needed) this.#scratch = Buffer.allocUnsafe(Math.max(needed, this.#scratch.length * 2));
    const n = huffmanDecode(block, start, cursor.pos, this.#scratch);
    if (n > this.#maxStringLength) this.#overLimit ??= "maxStringLength";
    return latin1Slice.call(this.#scratch, 0, n);
  }

  // Counts a field against the limits and keeps it, until a limit is crossed; past that, nothing
  // is kept, so a block that repeats a large entry thousands of times builds no list.
  #collect(name: string, value: string, neverIndexed: boolean): void {
    if (this.#overLimit !== null) return;
    this.#listSize += name.length + value.length + ENTRY_OVERHEAD;
    if (++this.#fieldCount > this.#maxFieldCount) this.#overLimit = "maxFieldCount";
    else if (this.#listSize > this.#maxListSize) this.#overLimit = "maxHeaderListSize";
    if (this.#overLimit !== null) {
      this.#fields.length = 0;
      return;
    }
    this.#fields.push(name, value);
    if (neverIndexed && this.#neverIndexed === null) this.#neverIndexed = new Array<boolean>(this.#fieldCount - 1).fill(false);
    this.#neverIndexed?.push(neverIndexed);
  }
}
