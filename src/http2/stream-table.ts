// StreamTable: a connection's live streams by id, and a bounded memory of recently closed ones, so
// a late frame on a stream we reset is ignored (RFC 9113 §5.1 "closed") and one on a stream that
// closed normally gets STREAM_CLOSED, while a peer cannot make the memory grow without bound.
import type { H2Stream } from "./h2-stream.js";

/** REMEMBERED is how many closed stream ids are remembered; older ones count as plainly closed. */
const REMEMBERED = 1024;

/** StreamTable holds the live streams of one connection. */
export class StreamTable {
  #live = new Map<number, H2Stream>();
  /** #closed maps a recently closed id to whether we reset it. */
  #closed = new Map<number, boolean>();

  get size(): number {
    return this.#live.size;
  }

  get(id: number): H2Stream | undefined {
    return this.#live.get(id);
  }

  add(stream: H2Stream): void {
    this.#live.set(stream.id, stream);
  }

  /** live returns a snapshot of the live streams (safe to close them while iterating). */
  live(): H2Stream[] {
    return [...this.#live.values()];
  }

  /** remove forgets a closed stream; false when it was already gone. */
  remove(stream: H2Stream): boolean {
    if (!this.#live.delete(stream.id)) return false;
    this.#remember(stream.id, stream.state === "resetSent");
    return true;
  }

  /** forgetReset remembers an id we reset without ever opening it (a stream error on an idle id). */
  forgetReset(id: number): void {
    if (!this.#closed.has(id)) this.#remember(id, true);
  }

  /** wasReset tells whether `id` is a recently closed stream that we reset: its frames are ignored. */
  wasReset(id: number): boolean {
    return this.#closed.get(id) === true;
  }

  /** wasClosed tells whether `id` is a recently closed stream. */
  wasClosed(id: number): boolean {
    return this.#closed.has(id);
  }

  #remember(id: number, reset: boolean): void {
    this.#closed.set(id, reset);
    if (this.#closed.size > REMEMBERED) this.#closed.delete(this.#closed.keys().next().value!);
  }
}
