// `npm run fuzz [-- --seconds N] [--seed S] [--iterations N]`: longer fuzz rounds than CI runs.
// Each seed runs until its share of the time is used; a failure prints the seed to replay it.
import { parseArgs } from "node:util";
import { fuzz } from "../test/fuzz/fuzzer.js";

const { values } = parseArgs({ options: { seconds: { type: "string" }, seed: { type: "string" }, iterations: { type: "string" } } });
const seconds = Number(values.seconds ?? 60);
const firstSeed = Number(values.seed ?? Date.now() % 1_000_000);
const iterations = Number(values.iterations ?? 100_000);
const deadline = Date.now() + seconds * 1000;
let total = 0;
for (let seed = firstSeed; Date.now() < deadline; seed++) {
  const stats = fuzz(seed, iterations, deadline);
  total += stats.iterations;
  const heap = Math.round(process.memoryUsage().heapUsed / 1e6);
  console.log(`seed ${seed}: ${stats.iterations} cases (${stats.httpErrors} HTTP and ${stats.wsErrors} WebSocket refusals), heap ${heap} MB`);
}
console.log(`${total} cases in ${seconds} s: no escaped exception, no hang, split and whole inputs agree`);
