// Pub/sub with `workers` on Redis: each worker has its own broker link and the relay through the
// primary is off, so a publish from a worker, from the primary (ClusterServer.publish) or from
// another node reaches every subscriber of every worker and node exactly once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startNode, subscribe, type PubSubNode, type Subscriber } from "../support/pubsub-nodes.js";
import { startRedis, type RedisServer } from "../support/pubsub-redis.js";

describe("pub/sub with workers, through Redis", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let cluster: PubSubNode;
  let single: PubSubNode;
  const subs: Subscriber[] = [];

  before(async () => {
    redis = await startRedis();
    cluster = await startNode("redis", redis.url, 2);
    single = await startNode("redis", redis.url);
    for (let i = 0; i < 4; i++) subs.push(await subscribe(cluster.port, "room"));
    subs.push(await subscribe(single.port, "room"));
  });
  after(async () => {
    for (const s of subs) s.ws.terminate();
    await cluster?.stop("SIGTERM");
    await single?.stop();
    await redis?.kill();
  });

  it("serves from two workers", async () => {
    const pids = new Set<string>();
    for (let i = 0; i < 8 && pids.size < 2; i++) pids.add(await (await fetch(`http://127.0.0.1:${cluster.port}/pid`)).text());
    assert.equal(pids.size, 2);
  });

  it("delivers each publish once to every subscriber, whoever publishes", async () => {
    // Every worker's and node's subscription is live once a probe from the single node reaches all.
    const deadline = Date.now() + 20_000;
    while (!subs.every((s) => s.received.some((r) => r.bytes.toString() === "probe"))) {
      assert.ok(Date.now() < deadline, "subscriptions did not become live");
      await single.publish("room", Buffer.from("probe"), false);
      await Promise.all(subs.map((s) => s.until((r) => r.some((m) => m.bytes.toString() === "probe"), 200).catch(() => {})));
    }
    await new Promise((r) => setTimeout(r, 300)); // stray probes still on their way
    for (const s of subs) s.received.length = 0;
    // Two HTTP publishes to the cluster: the workers take connections in turn, so they may come from either.
    const sent = ["from a worker 1", "from a worker 2", "from the single node", "from the primary"];
    await cluster.publish("room", Buffer.from(sent[0]), false);
    await cluster.publish("room", Buffer.from(sent[1]), false);
    await single.publish("room", Buffer.from(sent[2]), false);
    cluster.child.stdin!.write(`publish ${sent[3]}\n`);
    for (const s of subs) {
      await s.until((r) => r.length >= sent.length);
      // A second round through the same paths would show up here if anything were delivered twice.
      await single.publish("room", Buffer.from("fence"), false);
      await s.until((r) => r.some((m) => m.bytes.toString() === "fence"));
      const texts = s.received.map((r) => r.bytes.toString()).filter((t) => t !== "fence");
      assert.deepEqual([...texts].sort(), [...sent].sort());
    }
    assert.equal(cluster.exited, null);
  });
});
