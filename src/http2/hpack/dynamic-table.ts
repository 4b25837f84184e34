// The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of fields in a ring buffer, sized by
// octets (name + value + 32 per entry), evicting the oldest entries to stay within its maximum size.

/** ENTRY_OVERHEAD is the 32 octets §4.1 adds to each entry's name and value lengths. */
export const ENTRY_OVERHEAD = 32;

/** entrySize returns the size of a field in the table (§4.1); strings count one octet per char (latin1). */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + ENTRY_OVERHEAD;
}

/** DynamicTableView is the read side of a {@link DynamicTable}, for inspection. */
export interface DynamicTableView {
  /** length is the number of entries. */
  readonly length: number;
  /** size is the sum of the entries' sizes, in octets (§4.1). */
  readonly size: number;
  /** maxSize is the table's current maximum size, in octets (§4.2). */
  readonly maxSize: number;
  /** name returns the name of entry `i`, counted from 0 = the newest. */
  name(i: number): string;
  /** value returns the value of entry `i`, counted from 0 = the newest. */
  value(i: number): string;
  /** entries lists [name, value] pairs, newest first. */
  entries(): [string, string][];
}

/** EvictListener hears of each entry leaving the table, with the sequence number it was added under. */
export type EvictListener = (name: string, value: string, seq: number) => void;

const INITIAL_CAPACITY = 16;

/**
 * DynamicTable is the dynamic table shared in spirit by an encoder and its peer's decoder. Adding
 * and evicting are O(1) (amortized: the ring doubles when full). Each added entry gets a sequence
 * number, counting from 0; entry `i` (0 = newest) has sequence number `insertCount - 1 - i`.
 */
export class DynamicTable implements DynamicTableView {
  #names: string[] = new Array<string>(INITIAL_CAPACITY);
  #values: string[] = new Array<string>(INITIAL_CAPACITY);
  #mask = INITIAL_CAPACITY - 1;
  #oldest = 0; // ring slot of the oldest entry
  #length = 0;
  #size = 0;
  #maxSize: number;
  #inserted = 0;
  #onEvict: EvictListener | null;

  constructor(maxSize: number, onEvict: EvictListener | null = null) {
    this.#maxSize = maxSize;
    this.#onEvict = onEvict;
  }

  get length(): number {
    return this.#length;
  }

  get size(): number {
    return this.#size;
  }

  get maxSize(): number {
    return this.#maxSize;
  }

  /** insertCount is how many entries were ever added (the next entry's sequence number). */
  get insertCount(): number {
    return this.#inserted;
  }

  name(i: number): string {
    return this.#names[(this.#oldest + this.#length - 1 - i) & this.#mask];
  }

  value(i: number): string {
    return this.#values[(this.#oldest + this.#length - 1 - i) & this.#mask];
  }

  entries(): [string, string][] {
    const list: [string, string][] = [];
    for (let i = 0; i < this.#length; i++) list.push([this.name(i), this.value(i)]);
    return list;
  }

  /**
   * add inserts a field as the newest entry, first evicting old entries to make room (§4.4). A
   * field larger than the maximum size empties the table and is not added; add then returns false.
   */
  add(name: string, value: string): boolean {
    const size = entrySize(name, value);
    const fits = size <= this.#maxSize;
    this.#evictTo(fits ? this.#maxSize - size : 0);
    this.#inserted++;
    if (!fits) return false;
    if (this.#length > this.#mask) this.#grow();
    const slot = (this.#oldest + this.#length) & this.#mask;
    this.#names[slot] = name;
    this.#values[slot] = value;
    this.#length++;
    this.#size += size;
    return true;
  }

  /** setMaxSize changes the maximum size (a dynamic table size update, §4.3), evicting as needed. */
  setMaxSize(maxSize: number): void {
    this.#maxSize = maxSize;
    this.#evictTo(maxSize);
  }

  #evictTo(size: number): void {
    while (this.#size > size) {
      const slot = this.#oldest;
      const name = this.#names[slot];
      const value = this.#values[slot];
      this.#names[slot] = this.#values[slot] = "";
      this.#oldest = (slot + 1) & this.#mask;
      this.#size -= entrySize(name, value);
      this.#onEvict?.(name, value, this.#inserted - this.#length);
      this.#length--;
    }
  }

  #grow(): void {
    const capacity = (this.#mask + 1) * 2;
    const names = new Array<string>(capacity);
    const values = new Array<string>(capacity);
    for (let i = 0; i < this.#length; i++) {
      names[i] = this.#names[(this.#oldest + i) & this.#mask]!;
      values[i] = this.#values[(this.#oldest + i) & this.#mask]!;
    }
    this.#names = names;
    this.#values = values;
    this.#oldest = 0;
    this.#mask = capacity - 1;
  }
}
