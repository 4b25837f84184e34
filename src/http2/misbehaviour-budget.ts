// MisbehaviourBudget: a token bucket per HTTP/2 connection for frames that cost the server work
// and serve no request (resets, empty DATA, zero WINDOW_UPDATEs, frames for closed streams): the
// defence against the 2019 floods, Rapid Reset (CVE-2023-44487) and MadeYouReset (CVE-2025-8671).

/** REFILL_PERIOD is the time (ms) in which an empty bucket fills up again. */
const REFILL_PERIOD = 10_000;

/** MisbehaviourBudget holds `capacity` tokens and refills a tenth of them per second. */
export class MisbehaviourBudget {
  #tokens: number;
  #capacity: number;
  #last: number;

  constructor(capacity: number, now = Date.now()) {
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#last = now;
  }

  /** tokens is what is left, as of the last draw. */
  get tokens(): number {
    return this.#tokens;
  }

  /** draw takes `n` tokens; false means the budget is spent and the connection should end. */
  draw(n = 1, now = Date.now()): boolean {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + (elapsed * this.#capacity) / REFILL_PERIOD);
      this.#last = now;
    }
    this.#tokens -= n;
    return this.#tokens >= 0;
  }
}
