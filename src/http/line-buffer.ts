// LineBuffer: the bytes of one head line that arrived split across socket reads, in a buffer that
// grows by doubling, so a peer sending one byte per packet costs linear, not quadratic, copying.

/** LineBuffer accumulates a partial line. */
export class LineBuffer {
  #bytes: Buffer = Buffer.allocUnsafe(0);
  length = 0;

  append(part: Uint8Array): void {
    const needed = this.length + part.byteLength;
    if (needed > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(256, needed, this.#bytes.length * 2));
      this.#bytes.copy(grown, 0, 0, this.length);
      this.#bytes = grown;
    }
    this.#bytes.set(part, this.length);
    this.length = needed;
  }

  /** view returns the bytes held so far (valid until the next append or clear). */
  view(): Buffer {
    return this.#bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
    if (this.#bytes.length > 4096) this.#bytes = Buffer.allocUnsafe(0);
  }
}
