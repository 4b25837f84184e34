// HpackEncoder: field lists to header blocks (RFC 7541 §6), for responses. It indexes small,
// repeating fields, never indexes sensitive ones (§7.1.3), and signals table size changes (§4.2).
import { DynamicTable, entrySize, type DynamicTableView } from "./dynamic-table.js";
import { huffmanEncode, huffmanEncodedLength } from "./huffman.js";
import { encodeInteger } from "./integer.js";
import { STATIC_TABLE_LENGTH, staticName } from "./static-table.js";

/** DEFAULT_NEVER_INDEX_NAMES are names whose fields always go as "never indexed" literals. */
export const DEFAULT_NEVER_INDEX_NAMES: readonly string[] = Object.freeze(["authorization", "proxy-authorization"]);

/** DEFAULT_NO_INDEX_NAMES are names whose values are likely unique per response, sent without indexing. */
export const DEFAULT_NO_INDEX_NAMES: readonly string[] = Object.freeze([
  "content-length", "etag", "last-modified", "content-range", "age", "expires", "location", "content-md5", "x-request-id",
]);

// §7.1.3: "an encoder might choose not to index values for the Cookie header field that are
// considered to have low entropy": short cookies could be guessed through the table's state.
const SHORT_COOKIE = 20;

/** HpackEncoderOptions tunes an {@link HpackEncoder}. */
export interface HpackEncoderOptions {
  /** maxTableSize: most octets of dynamic table the encoder uses, whatever the peer allows (default 4096); a smaller one is signalled in the first block. */
  maxTableSize?: number;
  /** huffman: "auto" (default) Huffman-codes a string only when that is shorter; "always" or "never". */
  huffman?: "auto" | "always" | "never";
  /** neverIndexNames: names always sent never-indexed (default {@link DEFAULT_NEVER_INDEX_NAMES}). */
  neverIndexNames?: Iterable<string>;
  /** noIndexNames: names sent without indexing (default {@link DEFAULT_NO_INDEX_NAMES}). */
  noIndexNames?: Iterable<string>;
  /** maxIndexedEntrySize: largest entry (name + value + 32) the encoder adds to the table (default: a quarter of the table). */
  maxIndexedEntrySize?: number;
}

/** The protocol's initial table size (RFC 9113 §6.5.2), which the peer's decoder starts from. */
const INITIAL_TABLE_SIZE = 4096;

/** What the encoder's table holds for one name: the newest entry's sequence number, and each value's. */
interface IndexedName {
  newest: number;
  values: Map<string, number>;
}

/**
 * HpackEncoder encodes the header blocks of one connection, in order. Each field is sent as, in
 * this order of preference: an indexed field (static or dynamic full match); a literal with
 * incremental indexing (most fields: small and repeating); a literal without indexing (the
 * `noIndexNames`, and entries over `maxIndexedEntrySize`); a never-indexed literal (the
 * `neverIndexNames`, cookies shorter than 20 chars, and fields the caller flags). So `:status`
 * codes beyond the static ones, `content-type`, `cache-control`, `vary`, `server`, `set-cookie`
 * and `date` (whose value holds for a second of responses) are indexed once and then cost an
 * octet or two, while `content-length` or `etag` values do not push them out of the table.
 * Literal names use the static index first, then the dynamic one. Strings are latin1: one octet
 * per char; names must already be lowercase (RFC 9113 §8.2.1).
 */
export class HpackEncoder {
  #table: DynamicTable;
  #indexed = new Map<string, IndexedName>();
  #cap: number;
  #pendingMin = Infinity; // the smallest size set since the last block
  #pendingFinal = -1; // the size to signal at the next block, or -1
  #huffman: "auto" | "always" | "never";
  #neverIndex: ReadonlySet<string>;
  #noIndex: ReadonlySet<string>;
  #maxEntry: number | undefined;
  #out = Buffer.allocUnsafe(512);

  constructor(options: HpackEncoderOptions = {}) {
    this.#cap = options.maxTableSize ?? INITIAL_TABLE_SIZE;
    this.#table = new DynamicTable(INITIAL_TABLE_SIZE, (name, value, seq) => this.#tableOnEvict(name, value, seq));
    this.#huffman = options.huffman ?? "auto";
    this.#neverIndex = new Set(options.neverIndexNames ?? DEFAULT_NEVER_INDEX_NAMES);
    this.#noIndex = new Set(options.noIndexNames ?? DEFAULT_NO_INDEX_NAMES);
    this.#maxEntry = options.maxIndexedEntrySize;
    if (this.#cap !== INITIAL_TABLE_SIZE) this.setMaxTableSize(INITIAL_TABLE_SIZE);
  }

  /** table is the dynamic table, for inspection. */
  get table(): DynamicTableView {
    return this.#table;
  }

  /**
   * setMaxTableSize takes the peer's SETTINGS_HEADER_TABLE_SIZE. The encoder uses the smaller of
   * it and its own `maxTableSize`, and signals the change at the start of the next block: the
   * smallest size set since the last block first when the table shrank and then grew (§4.2).
   */
  setMaxTableSize(peerMaxTableSize: number): void {
    const size = Math.min(peerMaxTableSize, this.#cap);
    this.#pendingMin = Math.min(this.#pendingMin, size);
    this.#pendingFinal = size;
  }

  /**
   * encode returns the header block for `fields`, a flat [name, value, ...] list with lowercase
   * names (":status" first). `neverIndex[i]`, when true, sends field i as never indexed (as a
   * proxy must for a field that arrived so, §6.2.3). The Buffer is the caller's.
   */
  encode(fields: readonly string[], neverIndex: readonly boolean[] | null = null): Buffer {
    let pos = this.#writeSizeUpdates(0);
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i];
      const value = fields[i + 1];
      // Two integers of at most 6 octets, two prefix octets, and the strings (a Huffman string
      // is at most 30 bits a char, under 4 octets, and "auto" keeps it no longer than raw).
      this.#reserve(pos, 14 + (this.#huffman === "always" ? 4 : 1) * (name.length + value.length));
      pos = this.#writeField(pos, name, value, neverIndex?.[i >>> 1] === true);
    }
    const block = Buffer.allocUnsafe(pos); // from Node's pool for small blocks
    this.#out.copy(block, 0, 0, pos);
    return block;
  }

  #writeSizeUpdates(pos: number): number {
    const final = this.#pendingFinal;
    if (final < 0) return pos;
    this.#reserve(pos, 12);
    if (this.#pendingMin < this.#table.maxSize && this.#pendingMin < final) pos = this.#writeSizeUpdate(pos, this.#pendingMin);
    if (final !== this.#table.maxSize) pos = this.#writeSizeUpdate(pos, final);
    this.#pendingMin = Infinity;
    this.#pendingFinal = -1;
    return pos;
  }

  #writeSizeUpdate(pos: number, size: number): number {
    this.#table.setMaxSize(size);
    return encodeInteger(this.#out, pos, size, 5, 0x20);
  }

  #writeField(pos: number, name: string, value: string, flagged: boolean): number {
    const out = this.#out;
    const known = staticName(name);
    const sensitive = flagged || this.#neverIndex.has(name) || (name === "cookie" && value.length < SHORT_COOKIE);
    if (!sensitive) {
      const index = known?.values.get(value) ?? this.#dynamicIndex(name, value);
      if (index !== 0) return encodeInteger(out, pos, index, 7, 0x80);
    }
    const nameIndex = known?.index ?? this.#dynamicIndex(name, null);
    if (sensitive) pos = encodeInteger(out, pos, nameIndex, 4, 0x10);
    else if (this.#shouldIndex(name, value)) {
      pos = encodeInteger(out, pos, nameIndex, 6, 0x40);
      this.#tableAdd(name, value);
    } else pos = encodeInteger(out, pos, nameIndex, 4, 0x00);
    if (nameIndex === 0) pos = this.#writeString(pos, name);
    return this.#writeString(pos, value);
  }

  #shouldIndex(name: string, value: string): boolean {
    const maxSize = this.#table.maxSize;
    return !this.#noIndex.has(name) && entrySize(name, value) <= Math.min(this.#maxEntry ?? maxSize >>> 2, maxSize);
  }

  // The HPACK index of the newest entry with this name (and value, unless null), or 0.
  #dynamicIndex(name: string, value: string | null): number {
    const indexed = this.#indexed.get(name);
    if (indexed === undefined) return 0;
    const seq = value === null ? indexed.newest : indexed.values.get(value);
    return seq === undefined ? 0 : STATIC_TABLE_LENGTH + this.#table.insertCount - seq;
  }

  #tableAdd(name: string, value: string): void {
    const seq = this.#table.insertCount;
    if (!this.#table.add(name, value)) return;
    let indexed = this.#indexed.get(name);
    if (indexed === undefined) this.#indexed.set(name, (indexed = { newest: seq, values: new Map() }));
    indexed.newest = seq;
    indexed.values.set(value, seq);
  }

  // Entries leave oldest first: once a name's newest entry is gone, every entry with it is.
  #tableOnEvict(name: string, value: string, seq: number): void {
    const indexed = this.#indexed.get(name);
    if (indexed === undefined) return;
    if (indexed.newest === seq) this.#indexed.delete(name);
    else if (indexed.values.get(value) === seq) indexed.values.delete(value);
  }

  #writeString(pos: number, str: string): number {
    const out = this.#out;
    if (this.#huffman !== "never") {
      const length = huffmanEncodedLength(str);
      if (length < str.length || this.#huffman === "always") return huffmanEncode(str, out, encodeInteger(out, pos, length, 7, 0x80));
    }
    pos = encodeInteger(out, pos, str.length, 7, 0x00);
    return pos + out.write(str, pos, str.length, "latin1");
  }

  #reserve(pos: number, extra: number): void {
    if (pos + extra <= this.#out.length) return;
    const out = Buffer.allocUnsafe(Math.max(pos + extra, this.#out.length * 2));
    this.#out.copy(out, 0, 0, pos);
    this.#out = out;
  }
}
