// `npm run fuzz [-- --seconds N] [--seed S] [--iterations N]`: longer fuzz rounds than CI runs.
// Each seed runs three targets in turn, each for up to N cases or its slice of the time: the
// HTTP/1.1 and WebSocket parsers, the HTTP/2 frame parser, and the HPACK decoder. A failure
// prints the seed (and case) to replay it.
import { parseArgs } from "node:util";
import { fuzzFrames } from "../test/fuzz/frame-fuzzer.js";
import { fuzz } from "../test/fuzz/fuzzer.js";
import { fuzzHpack } from "../test/fuzz/hpack-fuzzer.js";

const { values } = parseArgs({ options: { seconds: { type: "string" }, seed: { type: "string" }, iterations: { type: "string" } } });
const seconds = Number(values.seconds ?? 60);
const firstSeed = Number(values.seed ?? Date.now() % 1_000_000);
const iterations = Number(values.iterations ?? 100_000);
const deadline = Date.now() + seconds * 1000;
// A target's slice is at most 10 s, and short enough that a run does at least two seeds; the last
// seed shares what time is left among its three targets.
const slice = Math.min(10_000, (seconds * 1000) / 6);
const total = { http: 0, frames: 0, hpack: 0 };
for (let seed = firstSeed; Date.now() < deadline; seed++) {
  const share = Math.min(slice, (deadline - Date.now()) / 3);
  const until = (): number => Math.min(deadline, Date.now() + share);
  const http = fuzz(seed, iterations, until());
  const frames = fuzzFrames(seed, iterations, until());
  const hpack = fuzzHpack(seed, iterations, until());
  total.http += http.iterations;
  total.frames += frames.iterations;
  total.hpack += hpack.iterations;
  const heap = Math.round(process.memoryUsage().heapUsed / 1e6);
  console.log(
    `seed ${seed}: ${http.iterations} HTTP/1.1 and WebSocket cases (${http.httpErrors} HTTP and ${http.wsErrors} WebSocket refusals), ` +
      `${frames.iterations} HTTP/2 frame cases (${frames.errors} connection errors, ${frames.clean} parsed to the end), ` +
      `${hpack.iterations} HPACK cases (${hpack.errors} COMPRESSION_ERRORs, ${hpack.clean} decoded to the end, ${hpack.overLimit} blocks over a limit), heap ${heap} MB`,
  );
}
console.log(
  `${total.http + total.frames + total.hpack} cases in ${seconds} s (${total.http} HTTP/1.1 and WebSocket, ${total.frames} HTTP/2 frame, ${total.hpack} HPACK): ` +
    "no escaped exception, no hang, split and whole inputs agree, HPACK tables within their limits and decoders deterministic",
);
