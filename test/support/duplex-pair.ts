// An in-memory pair of connected Duplex streams for connection tests (as the ws library's
// test/duplex-pair.js): what one side writes the other reads, with backpressure.
import { Duplex } from "node:stream";

/** duplexPair makes two connected streams; a writer waits while its peer's read buffer is full. */
export function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const blocked: ((() => void) | null)[] = [null, null]; // blocked[j]: a writer waiting for side j to be read
  for (let i = 0; i < 2; i++) {
    sides.push(new Duplex({
      read() {
        const release = blocked[i];
        blocked[i] = null;
        release?.();
      },
      write(chunk, _enc, cb) {
        if (sides[1 - i].push(chunk)) cb();
        else blocked[1 - i] = () => cb();
      },
      final(cb) {
        sides[1 - i].push(null);
        cb();
      },
    }));
  }
  return [sides[0], sides[1]];
}

