// --max-body-size through the bin: 256 MiB POSTed to a CGI script (which answers the sha256 of
// its stdin) with --max-body-size 1g, and chunked with 0 (no limit), arrive intact while the
// server's RSS stays flat; the same upload without the flag gets 413 before its body is read.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { makeCgiTree, type CgiTree } from "../support/cgi-fixture.js";
import { parseResponses } from "../support/http-response.js";
import { assertBuilt } from "../support/ops-cli.js";
import { MB, memoryOf, sampleRss } from "../support/proc-memory.js";
import { startCli, type RunningCli } from "../support/static-cli.js";

const MIB = 1024 * 1024;
const TOTAL = 256 * MIB;
const RSS_GROWTH_LIMIT = 100 * 1000 * 1000;
// The script reads all of stdin before it answers, so the client can take any early answer as a refusal.
const SCRIPT = `#!/bin/sh
sum=$(sha256sum | cut -c1-64)
printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' "$sum"
`;

interface Upload {
  status: number;
  body: string;
  sha256: string;
}

/** upload POSTs TOTAL bytes (1 MiB random blocks, each stamped with its index) and returns the answer and the body's sha256. */
function upload(port: number, path: string, framing: "length" | "chunked"): Promise<Upload> {
  const block = randomBytes(MIB);
  const hash = createHash("sha256");
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let received = Buffer.alloc(0);
    let answered = false;
    const framingHeader = framing === "length" ? `Content-Length: ${TOTAL}` : "Transfer-Encoding: chunked";
    const send = async (): Promise<void> => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: upload\r\n${framingHeader}\r\nConnection: close\r\n\r\n`);
      for (let i = 0; i < TOTAL / MIB && !answered && !socket.destroyed; i++) {
        block.writeUInt32BE(i, 0);
        hash.update(block);
        const piece = framing === "length" ? block : Buffer.concat([Buffer.from(`${MIB.toString(16)}\r\n`), block, Buffer.from("\r\n")]);
        if (!socket.write(piece)) await new Promise((r) => socket.once("drain", r));
      }
      if (framing === "chunked" && !answered) socket.write("0\r\n\r\n");
    };
    socket.on("data", (chunk: Buffer) => {
      answered = true;
      received = Buffer.concat([received, chunk]);
    });
    socket.on("error", (err) => {
      if (!answered) reject(err); // a reset after the answer is the server refusing the rest of the body
    });
    socket.on("close", () => {
      const [response] = parseResponses(received).responses;
      if (response === undefined) return reject(new Error(`no response: ${received.toString("latin1").slice(0, 200)}`));
      resolve({ status: response.status, body: response.body.toString("utf8").trim(), sha256: hash.digest("hex") });
    });
    socket.once("connect", () => void send().catch(() => socket.destroy()));
  });
}

describe("--max-body-size through CGI", { timeout: 300_000 }, () => {
  let tree: CgiTree;
  const running: RunningCli[] = [];

  before(async () => {
    assertBuilt();
    tree = await makeCgiTree({ "cgi-bin/sha.sh": SCRIPT });
  });
  after(async () => {
    for (const { cli } of running) await cli.stop();
    await tree?.remove();
  });

  const rows: [string, string[], "length" | "chunked"][] = [
    ["--max-body-size 1g, Content-Length", ["--max-body-size", "1g"], "length"],
    ["--max-body-size 0 (no limit), chunked", ["--max-body-size", "0"], "chunked"],
  ];
  for (const [name, flags, framing] of rows) {
    it(`${name}: 256 MiB reach the script intact, RSS flat`, async (t) => {
      const cli = await startCli([tree.base, "-p", "0", "--quiet", "--cgi", ...flags], { dist: true });
      running.push(cli);
      const start = memoryOf(cli.cli.pid).rss;
      const sampler = sampleRss(cli.cli.pid);
      let result: Upload;
      try {
        result = await upload(cli.port, "/cgi-bin/sha.sh", framing);
      } finally {
        const peak = sampler.stop();
        t.diagnostic(`RSS at start ${MB(start)}, sampled peak ${MB(peak)}`);
        assert.ok(peak - start < RSS_GROWTH_LIMIT, `RSS grew from ${MB(start)} to ${MB(peak)}`);
      }
      assert.equal(result.status, 200, result.body);
      assert.equal(result.body, result.sha256, "the script saw other bytes than were sent");
      assert.ok(cli.cli.running, cli.cli.stderr);
    });
  }

  it("without the flag the same upload gets 413 (the default limit is 128 MiB)", async () => {
    const cli = await startCli([tree.base, "-p", "0", "--quiet", "--cgi"], { dist: true });
    running.push(cli);
    const result = await upload(cli.port, "/cgi-bin/sha.sh", "length");
    assert.equal(result.status, 413);
    assert.ok(cli.cli.running, cli.cli.stderr);
  });
});
