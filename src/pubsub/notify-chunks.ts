// PostgreSQL NOTIFY payloads are text of at most 8,000 bytes. A message travels as its envelope
// in base64, cut into chunks that each fit, sent in one statement (one transaction), and put
// back together on arrival: "<message id>:<index>:<count>:<base64 part>".

/** CHUNK_TEXT is how many base64 characters a chunk carries, leaving room for its header. */
export const CHUNK_TEXT = 7800;

/** splitChunks cuts an envelope into NOTIFY payloads under one message id. */
export function splitChunks(id: string, envelope: Buffer): string[] {
  const text = envelope.toString("base64");
  const count = Math.max(1, Math.ceil(text.length / CHUNK_TEXT));
  const chunks: string[] = [];
  for (let i = 0; i < count; i++) chunks.push(`${id}:${i}:${count}:${text.slice(i * CHUNK_TEXT, (i + 1) * CHUNK_TEXT)}`);
  return chunks;
}

interface Partial {
  parts: string[];
  got: number;
}

/** ChunkJoiner puts chunks back together; it keeps at most `maxPending` incomplete messages. */
export class ChunkJoiner {
  #pending = new Map<string, Partial>();
  #maxChunks: number;
  #maxPending: number;

  constructor(maxBytes: number, maxPending = 64) {
    this.#maxChunks = Math.ceil(((maxBytes + 1024) * 4) / 3 / CHUNK_TEXT) + 1;
    this.#maxPending = maxPending;
  }

  /** add takes one payload and returns the whole envelope once its last chunk is in, else null. */
  add(payload: string): Buffer | null {
    const m = /^([^:]+):(\d+):(\d+):/.exec(payload);
    if (m === null) return null;
    const [head, id, indexText, countText] = m as unknown as [string, string, string, string];
    const index = Number(indexText);
    const count = Number(countText);
    if (count < 1 || count > this.#maxChunks || index >= count) return null;
    const part = payload.slice(head.length);
    if (count === 1) return Buffer.from(part, "base64");
    let partial = this.#pending.get(id);
    if (partial === undefined) {
      if (this.#pending.size >= this.#maxPending) this.#pending.delete(this.#pending.keys().next().value!);
      this.#pending.set(id, (partial = { parts: new Array<string>(count), got: 0 }));
    }
    if (partial.parts[index] === undefined) partial.got++;
    partial.parts[index] = part;
    if (partial.got < count) return null;
    this.#pending.delete(id);
    return Buffer.from(partial.parts.join(""), "base64");
  }

  /** clear drops incomplete messages (their rest was lost with the connection). */
  clear(): void {
    this.#pending.clear();
  }
}
