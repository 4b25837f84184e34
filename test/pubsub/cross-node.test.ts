// Pub/sub across processes through real brokers (a private redis-server, a private PostgreSQL
// cluster): three sockserve nodes with subscribers on each; every publish (server.publish and
// ws.publish, text and binary, 1 byte to 1 MiB) reaches every subscriber exactly once, in order
// per publisher; a broker killed and restarted mid-run crashes nothing, is logged once, and
// delivery resumes; the compress flag crosses nodes.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startNode, subscribe, type PubSubNode, type Subscriber } from "../support/pubsub-nodes.js";
import { startRedis, type RedisServer } from "../support/pubsub-redis.js";
import { ensurePgBin, startCluster, type PgCluster } from "../support/todo-pg.js";

interface Broker {
  url: string;
  outage(): Promise<void>;
  stop(): Promise<void>;
}

async function redisBroker(): Promise<Broker> {
  const redis: RedisServer = await startRedis();
  return { url: redis.url, outage: async () => (await redis.kill(), await redis.restart()), stop: () => redis.kill() };
}

async function postgresBroker(): Promise<Broker> {
  const found = await ensurePgBin();
  if ("unavailable" in found) throw new Error(found.unavailable);
  const cluster: PgCluster = await startCluster(found.bin);
  return { url: cluster.url(), outage: () => cluster.restart(), stop: () => cluster.stop() };
}

/** message makes publisher `p`'s message number `seq`: unique bytes of the given size. */
function message(p: number, seq: number, size: number): Buffer {
  if (size === 1) return Buffer.from([0x61 + p * 8 + seq]);
  const head = Buffer.from(`p${p}#${seq}|`);
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = 0x30 + ((i * 7 + seq + p) % 60); // ASCII, so text too
  head.copy(body);
  return body;
}

const key = (binary: boolean, bytes: Buffer): string => `${binary ? "b" : "t"}${createHash("sha1").update(bytes).digest("hex")}`;

/** SIZES: per publisher, in order: sizes and kinds, from 1 byte to 1 MiB, across the 8,000-byte NOTIFY cap. */
const PLAN: { size: number; binary: boolean }[] = [
  { size: 1, binary: false },
  { size: 1, binary: true },
  ...Array.from({ length: 20 }, (_, i) => ({ size: 64, binary: i % 2 === 0 })),
  { size: 7999, binary: false },
  { size: 8001, binary: true },
  { size: 100_000, binary: false },
  { size: 1024 * 1024, binary: true },
  { size: 1024 * 1024, binary: false },
];

/** warmUp publishes probes from every node until every subscriber heard every node (subscriptions are live), then forgets them. */
async function warmUp(nodes: PubSubNode[], subs: Subscriber[], topic: string): Promise<void> {
  const probes = nodes.map((_, i) => Buffer.from(`probe ${i}`));
  const heardAll = (s: Subscriber): boolean => probes.every((p) => s.received.some((r) => r.bytes.equals(p)));
  const deadline = Date.now() + 20_000;
  while (!subs.every(heardAll)) {
    assert.ok(Date.now() < deadline, "subscriptions did not become live in 20 s");
    await Promise.all(nodes.map((n, i) => n.publish(topic, probes[i], false)));
    await Promise.all(subs.map((s) => s.until(() => heardAll(s), 200).catch(() => {})));
  }
  for (const s of subs) s.received.length = 0;
}

for (const [name, make] of [["Redis", redisBroker], ["PostgreSQL", postgresBroker]] as const) {
  describe(`pub/sub across three nodes on ${name}`, { timeout: 180_000 }, () => {
    let broker: Broker;
    const nodes: PubSubNode[] = [];
    const subs: Subscriber[][] = [];

    before(async () => {
      broker = await make();
      for (let i = 0; i < 3; i++) nodes.push(await startNode(name === "Redis" ? "redis" : "postgres", broker.url));
      for (const n of nodes) subs.push([await subscribe(n.port, "room"), await subscribe(n.port, "room")]);
      await warmUp(nodes, subs.flat(), "room");
    });
    after(async () => {
      for (const s of subs.flat()) s.ws.terminate();
      for (const n of nodes) await n.stop();
      await broker?.stop();
    });

    it("delivers every node's publishes to every subscriber exactly once, in order per publisher, byte for byte", async () => {
      const expected = new Map<string, { p: number; seq: number }>();
      await Promise.all(
        nodes.map(async (node, p) => {
          for (const [seq, { size, binary }] of PLAN.entries()) {
            const bytes = message(p, seq, size);
            expected.set(key(binary, bytes), { p, seq });
            await node.publish("room", bytes, binary);
          }
        }),
      );
      const total = nodes.length * PLAN.length;
      for (const s of subs.flat()) {
        await s.until((r) => r.length >= total, 60_000);
        assert.equal(s.received.length, total);
        const last = [-1, -1, -1];
        const seen = new Set<string>();
        for (const r of s.received) {
          const k = key(r.binary, r.bytes);
          const origin = expected.get(k);
          assert.ok(origin !== undefined, `an unexpected ${r.binary ? "binary" : "text"} message of ${r.bytes.length} bytes`);
          assert.ok(!seen.has(k), "a message arrived twice");
          seen.add(k);
          assert.ok(origin.seq > last[origin.p], `publisher ${origin.p}: message ${origin.seq} after ${last[origin.p]}`);
          last[origin.p] = origin.seq;
        }
      }
      for (const n of nodes) assert.equal(n.exited, null);
    });

    it("carries ws.publish() to every node, skipping only the sender", async () => {
      for (const s of subs.flat()) s.received.length = 0;
      const sender = subs[1][0];
      sender.ws.send("from a socket on node 1");
      sender.ws.send(Buffer.from([0, 1, 2, 255]));
      const others = subs.flat().filter((s) => s !== sender);
      for (const s of others) {
        await s.until((r) => r.length >= 2);
        assert.deepEqual(s.received.map((r) => [r.binary, r.bytes.toString("hex")]), [[false, Buffer.from("from a socket on node 1").toString("hex")], [true, "000102ff"]]);
      }
      // A last server.publish from the sender's node proves nothing more was queued for the sender.
      await nodes[1].publish("room", Buffer.from("fence"), false);
      await sender.until((r) => r.some((m) => m.bytes.toString() === "fence"));
      assert.deepEqual(sender.received.map((r) => r.bytes.toString()), ["fence"]);
      for (const s of others) await s.until((r) => r.length >= 3);
    });

    it("honours the compress flag on the other nodes (1 MiB of text crosses as a few KB)", async () => {
      const receiver = subs[2][0];
      receiver.received.length = 0;
      const socket = (receiver.ws as unknown as { _socket: { bytesRead: number } })._socket;
      const before = socket.bytesRead;
      await nodes[0].publish("room", Buffer.alloc(1024 * 1024, "a"), false, true);
      await receiver.until((r) => r.length >= 1);
      assert.deepEqual(receiver.received[0].bytes, Buffer.alloc(1024 * 1024, "a"));
      assert.ok(socket.bytesRead - before < 64 * 1024, `${socket.bytesRead - before} bytes on the wire`);
    });

    it("survives the broker's restart: no crash, local delivery goes on, the outage is logged once, delivery resumes", async () => {
      for (const s of subs.flat()) s.received.length = 0;
      const outage = broker.outage();
      // While it is down (or coming back), node 0's own subscribers still hear node 0.
      await nodes[0].publish("room", Buffer.from("local during outage"), false);
      await subs[0][0].until((r) => r.some((m) => m.bytes.toString() === "local during outage"));
      await outage;
      const back = Date.now();
      for (const s of subs.flat()) s.received.length = 0;
      await warmUp(nodes, subs.flat(), "room");
      assert.ok(Date.now() - back < 15_000, `delivery resumed after ${Date.now() - back} ms`);
      for (const n of nodes) {
        assert.equal(n.exited, null);
        assert.equal(await n.status(), "connected");
        const lines = n.stderr.split("\n").filter((l) => l.includes("unreachable"));
        assert.equal(lines.length, 1, `outage lines:\n${n.stderr}`);
        assert.match(n.stderr, /reconnected after/);
      }
    });
  });
}
