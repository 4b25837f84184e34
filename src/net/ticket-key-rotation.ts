// TicketKeyRotation: the primary's TLS session ticket key (RFC 5077), shared by every worker so a
// client resumes on whichever worker it reaches, as nginx's ssl_session_ticket_key across workers.
import { randomBytes } from "node:crypto";

/**
 * ROTATION_PERIOD is how long one ticket key lives: 1 hour. Node's SecureContext holds a single key,
 * so a ticket issued under the previous key cannot be decrypted after a rotation: that client makes
 * a full handshake (no error). Tickets live 300 s (Node's default session lifetime), so about the
 * last 5 minutes of resumable sessions per hour pay one full handshake.
 */
export const ROTATION_PERIOD = 60 * 60 * 1000;

/** TicketKeyRotation makes a 48-byte key now and a fresh one every period, and announces each. */
export class TicketKeyRotation {
  #keys = randomBytes(48);
  readonly #timer: NodeJS.Timeout;

  constructor(announce: (message: { sockserve: "ticket-keys"; keys: string }) => void, period = ROTATION_PERIOD) {
    this.#timer = setInterval(() => {
      this.#keys = randomBytes(48);
      announce(this.message);
    }, period);
    this.#timer.unref();
  }

  /** message is the current key as the workers receive it. */
  get message(): { sockserve: "ticket-keys"; keys: string } {
    return { sockserve: "ticket-keys", keys: this.#keys.toString("base64") };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
