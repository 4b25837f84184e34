// SendWatch: tells when a connection's output has waited too long with the peer taking none of
// it (limits.sendTimeout, as nginx's send_timeout), so a peer that never reads cannot hold a
// connection and its queued answer forever, while a slow reader that keeps reading is never cut.
import type { Duplex } from "node:stream";

/** SendWatch follows one socket's output between sweeps. */
export class SendWatch {
  readonly #socket: Duplex & { bytesWritten?: number; _handle?: { writeQueueSize?: number } | null };
  /** #sent and #waiting are the output counters seen by the last sweep; #stalledSince is when they last moved. */
  #sent = 0;
  #waiting = 0;
  #stalledSince = 0;

  constructor(socket: Duplex) {
    this.#socket = socket;
  }

  /**
   * stalled tells whether output has been waiting for `timeout` ms while the peer took none of
   * it. Progress is a change in the bytes handed to the socket or in the bytes still waiting,
   * counted down by libuv as the kernel takes them (`_handle.writeQueueSize`, which Node's own
   * net code reads; without it, as for a Duplex that is not a socket, whole writes count).
   */
  stalled(now: number, timeout: number): boolean {
    const socket = this.#socket;
    const waiting = socket.writableLength + (socket._handle?.writeQueueSize ?? 0);
    if (waiting === 0) {
      this.#waiting = 0;
      return false;
    }
    const sent = socket.bytesWritten ?? 0;
    if (waiting !== this.#waiting || sent !== this.#sent) {
      this.#waiting = waiting;
      this.#sent = sent;
      this.#stalledSince = now;
      return false;
    }
    return now - this.#stalledSince >= timeout;
  }
}
