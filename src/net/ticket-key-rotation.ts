// TicketKeyRotation: the TLS session ticket keys (RFC 5077) of a server, replaced every period:
// the current key encrypts new tickets, the previous one still decrypts for one more period. The
// primary of `workers` shares them with every worker (as nginx's ssl_session_ticket_key); a single
// process rotates its own.
import { newTicketKeys } from "./tls-contexts.js";

/**
 * ROTATION_PERIOD is how long one ticket key encrypts new tickets by default: 1 hour. Then it is
 * the previous key for one more period and still decrypts, so a ticket stays good for at least a
 * period after it was made: longer than its session's 300 s (SESSION_TIMEOUT; a resumption makes
 * no new ticket), so no client makes a full handshake because of a rotation. A period under 300 s
 * cuts sessions short: their tickets die with the key, and those clients make a full handshake.
 */
export const ROTATION_PERIOD = 60 * 60 * 1000;

/** MAX_ROTATION_PERIOD is the longest period a timer can wait: 2^31 - 1 ms (about 24.8 days). */
export const MAX_ROTATION_PERIOD = 2 ** 31 - 1;

/** TicketKeyRotation makes a 48-byte key now, and every period a fresh one, keeping the last as previous. */
export class TicketKeyRotation {
  #current = newTicketKeys();
  #previous: Buffer | undefined;
  readonly #timer: NodeJS.Timeout;

  /** TicketKeyRotation calls onRotate after each rotation (not for the first key, read from `current`). */
  constructor(onRotate: (current: Buffer, previous: Buffer) => void, period = ROTATION_PERIOD) {
    if (!(period > 0 && period <= MAX_ROTATION_PERIOD)) throw new RangeError(`the ticket key rotation period must be 1..${MAX_ROTATION_PERIOD} ms, not ${period}`);
    this.#timer = setInterval(() => {
      this.#previous = this.#current;
      this.#current = newTicketKeys();
      onRotate(this.#current, this.#previous);
    }, period);
    this.#timer.unref();
  }

  /** current is the key that encrypts new tickets. */
  get current(): Buffer {
    return this.#current;
  }

  /** previous is the key before it, which still decrypts (none before the first rotation). */
  get previous(): Buffer | undefined {
    return this.#previous;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
