// The pure parts of cross-node pub/sub, as tables: the envelope round trip (text and binary,
// the compress flag, any topic), the NOTIFY chunks (split at the 8,000-byte cap and joined back
// in any order, with bounds), the outage log's once-per-interval rule, the backoff, and the
// topic transitions (first subscriber, last one gone) that drive the broker, and the brokers'
// option checks (no connection is made).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { decodeEnvelope, encodeEnvelope } from "../../src/pubsub/envelope.js";
import { CHUNK_TEXT, ChunkJoiner, splitChunks } from "../../src/pubsub/notify-chunks.js";
import { backoff, OutageLog } from "../../src/pubsub/outage-log.js";
import { postgresPubSub } from "../../src/pubsub/postgres-pubsub.js";
import { redactUrl } from "../../src/pubsub/redact-url.js";
import { redisPubSub } from "../../src/pubsub/redis-pubsub.js";
import { Topics, type Subscriber } from "../../src/websocket/pubsub.js";

describe("envelope", () => {
  const rows = [
    { topic: "room", payload: Buffer.from("hello"), binary: false, compress: false, origin: "abc" },
    { topic: "", payload: Buffer.alloc(0), binary: true, compress: true, origin: "" },
    { topic: "房间/🙂", payload: randomBytes(70_000), binary: true, compress: false, origin: "node-1" },
    { topic: "x".repeat(300), payload: Buffer.from("é"), binary: false, compress: true, origin: "o" },
  ];
  for (const row of rows) {
    it(`round-trips ${JSON.stringify(row.topic.slice(0, 10))} (${row.binary ? "binary" : "text"}, compress ${row.compress})`, () => {
      const back = decodeEnvelope(encodeEnvelope(row))!;
      assert.deepEqual({ ...back, payload: Buffer.from(back.payload) }, row);
    });
  }
  it("rejects bytes that are not an envelope", () => {
    for (const bad of [Buffer.alloc(0), Buffer.from([2, 0, 0, 0, 0, 0, 0]), Buffer.from([1, 0, 5, 0]), Buffer.from([1, 0, 0, 0, 0, 0, 9])]) assert.equal(decodeEnvelope(bad), null);
  });
});

describe("NOTIFY chunks", () => {
  for (const size of [0, 1, 5000, 5851, 5852, 100_000, 1024 * 1024]) {
    it(`splits ${size} bytes under 8,000 bytes a chunk and joins them back, in any order`, () => {
      const envelope = randomBytes(size);
      const chunks = splitChunks("o.1", envelope);
      for (const c of chunks) assert.ok(Buffer.byteLength(c) < 8000, `${Buffer.byteLength(c)} bytes`);
      const joiner = new ChunkJoiner(2 * 1024 * 1024);
      const shuffled = chunks.map((c, i) => [c, (i * 7919) % chunks.length] as const).sort((a, b) => a[1] - b[1]).map(([c]) => c);
      const results = shuffled.map((c) => joiner.add(c));
      assert.ok(results.slice(0, -1).every((r) => r === null));
      assert.deepEqual(results.at(-1), envelope);
    });
  }
  it("keeps two messages apart by id, and drops what is malformed or over the bound", () => {
    const joiner = new ChunkJoiner(10_000);
    const a = splitChunks("a.1", Buffer.alloc(9000, 1));
    const b = splitChunks("b.1", Buffer.alloc(9000, 2));
    assert.equal(joiner.add(a[0]), null);
    assert.equal(joiner.add(b[0]), null);
    assert.deepEqual(joiner.add(a[1]), Buffer.alloc(9000, 1));
    assert.deepEqual(joiner.add(b[1]), Buffer.alloc(9000, 2));
    assert.equal(joiner.add("no header"), null);
    assert.equal(joiner.add("x:3:2:AAAA"), null);
    assert.equal(joiner.add(`x:0:${Math.ceil(20_000 / CHUNK_TEXT) + 10}:AAAA`), null);
  });
});

describe("outage log and backoff", () => {
  it("logs the first failure, then none until the interval passes, and the recovery once", () => {
    const lines: string[] = [];
    const log = new OutageLog("Redis", (l) => lines.push(l), 60_000);
    for (let i = 0; i < 100; i++) log.down(new Error("ECONNREFUSED"));
    log.dropped();
    log.up();
    log.up();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /Redis unreachable \(ECONNREFUSED\)/);
    assert.match(lines[1], /reconnected after .* 1 message/);
    log.down("again");
    assert.equal(lines.length, 3);
  });
  it("doubles from 100 ms up to the cap", () => {
    assert.deepEqual([0, 1, 2, 5, 10, 1000].map((n) => backoff(n, 5000)), [100, 200, 400, 3200, 5000, 5000]);
  });
});

describe("topic transitions", () => {
  it("reports a topic's first subscriber and its last one leaving, once each", () => {
    const topics = new Topics<Subscriber>();
    const seen: string[] = [];
    topics.onTopic = (t, on) => seen.push(`${on ? "+" : "-"}${t}`);
    const a: Subscriber = { sendFrame: () => 0, acceptsSharedCompression: false };
    const b: Subscriber = { sendFrame: () => 0, acceptsSharedCompression: false };
    topics.subscribe("x", a);
    topics.subscribe("x", b);
    topics.subscribe("x", a);
    topics.unsubscribe("x", a);
    topics.unsubscribe("y", a);
    topics.unsubscribe("x", b);
    topics.unsubscribe("x", b);
    assert.deepEqual(seen, ["+x", "-x"]);
  });
});

describe("broker options", () => {
  it("refuses a missing url or connectionString, and a PostgreSQL prefix that would not fit a channel name", () => {
    assert.throws(() => redisPubSub({} as never), { name: "TypeError", message: /needs \{ url \}/ });
    assert.throws(() => postgresPubSub({} as never), { name: "TypeError", message: /needs \{ connectionString \}/ });
    for (const prefix of ["has-dash", "x".repeat(24), "quote\""]) {
      assert.throws(() => postgresPubSub({ connectionString: "postgres://127.0.0.1/x", prefix }), { name: "TypeError", message: /prefix/ });
    }
    assert.equal(postgresPubSub({ connectionString: "postgres://127.0.0.1/x", prefix: "x".repeat(23) }).status, "closed");
  });
  it("hides a password before a URL is logged", () => {
    assert.equal(redactUrl("redis://user:secret@127.0.0.1:6379/0"), "redis://user:***@127.0.0.1:6379/0");
    assert.equal(redactUrl("postgres://127.0.0.1/app"), "postgres://127.0.0.1/app");
    assert.equal(redactUrl("not a url"), "(invalid URL)");
  });
});
