// The fuzzers' shared tools: a seeded PRNG (so a failing run replays from its seed), a mutator of
// seed inputs, random bytes, and random cuts of an input for split-feeding a parser.

/** mulberry32 is a tiny seeded PRNG, so a failing run can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ["\r\n", "\n", "\r", " ", "\t", ":", ";", "\0", "0", "ffffffffffffffff", "-1", "chunked", "Content-Length: ", "Transfer-Encoding: ", "\x80", "\xff", "\"", "HTTP/1.1", "Host: a\r\n"];

/** mutate applies one to four random edits to a seed. */
export function mutate(seed: Buffer, rand: () => number, pool: Buffer[]): Buffer {
  let out = Buffer.from(seed);
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    switch (Math.floor(rand() * 7)) {
      case 0: // flip a bit
        if (out.length > 0) out[Math.min(at, out.length - 1)] ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: // random byte
        if (out.length > 0) out[Math.min(at, out.length - 1)] = Math.floor(rand() * 256);
        break;
      case 2: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + Math.floor(rand() * 8)))]);
        break;
      case 3: // insert an interesting token
        out = Buffer.concat([out.subarray(0, at), Buffer.from(INTERESTING[Math.floor(rand() * INTERESTING.length)], "latin1"), out.subarray(at)]);
        break;
      case 4: // duplicate a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + 1 + Math.floor(rand() * 16)), out.subarray(at)]);
        break;
      case 5: // splice with another seed
        out = Buffer.concat([out.subarray(0, at), pool[Math.floor(rand() * pool.length)].subarray(Math.floor(rand() * 8))]);
        break;
      default: // truncate
        out = out.subarray(0, at);
    }
  }
  return out;
}

/** randomBytes returns `n` random octets. */
export function randomBytes(rand: () => number, n: number): Buffer {
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) buf[i] = Math.floor(rand() * 256);
  return buf;
}

/** randomSplits cuts `input` into chunks of 1 to `maxChunk` octets (default: a third of the input). */
export function randomSplits(input: Buffer, rand: () => number, maxChunk = Math.max(1, input.length / 3)): Buffer[] {
  const chunks: Buffer[] = [];
  let i = 0;
  while (i < input.length) {
    const n = 1 + Math.floor(rand() * maxChunk);
    chunks.push(input.subarray(i, i + n));
    i += n;
  }
  return chunks;
}
