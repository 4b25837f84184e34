// 10,000 topics with one subscriber each on one node: the broker sees 10,000 subscriptions over
// the node's one link (never a connection per topic), and none once they are all left.
// Redis counts with PUBSUB CHANNELS / NUMSUB; PostgreSQL with pg_listening_channels() asked on
// the broker's own listening connection. Also on PostgreSQL: maxMessageSize, crossed by one byte.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createClient } from "redis";
import WebSocket from "ws";
import { serve, type Server } from "../../src/index.js";
import type { PubSubBroker } from "../../src/server/pubsub-broker.js";
import { postgresPubSub, type PostgresPubSub } from "../../src/pubsub/postgres-pubsub.js";
import { redisPubSub } from "../../src/pubsub/redis-pubsub.js";
import { startRedis, type RedisServer } from "../support/pubsub-redis.js";
import { ensurePgBin, startCluster, type PgCluster } from "../support/todo-pg.js";

const TOPICS = 10_000;

/** topicServer serves one WebSocket that joins ("sub") or leaves ("unsub") TOPICS topics on command. */
async function topicServer(pubsub: PubSubBroker): Promise<{ server: Server; command(c: string): Promise<void>; close(): void }> {
  const server = await serve({
    port: 0,
    hostname: "127.0.0.1",
    pubsub,
    fetch: (request, server) => (server.upgrade(request) ? undefined : new Response("ws only", { status: 400 })),
    websocket: {
      message(ws, m) {
        for (let i = 0; i < TOPICS; i++) {
          if (m === "sub") ws.subscribe(`t${i}`);
          else ws.unsubscribe(`t${i}`);
        }
        ws.send(`done ${m}`);
      },
    },
  });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return {
    server,
    command: (c) => new Promise((resolve) => (ws.once("message", () => resolve()), ws.send(c))),
    close: () => ws.terminate(),
  };
}

/** eventually polls `read` until it returns `want` (bounded: the broker applies subscriptions asynchronously). */
async function eventually(read: () => Promise<number>, want: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  let got = await read();
  while (got !== want) {
    assert.ok(Date.now() < deadline, `broker count ${got}, expected ${want}`);
    await new Promise((r) => setTimeout(r, 50));
    got = await read();
  }
}

describe("10,000 topics on Redis", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let checker: ReturnType<typeof createClient>;
  before(async () => {
    redis = await startRedis();
    checker = createClient({ url: redis.url });
    await checker.connect();
  });
  after(async () => {
    await checker?.close();
    await redis?.kill();
  });

  it("subscribes and unsubscribes each topic once, over two connections", async () => {
    const pubsub = redisPubSub({ url: redis.url });
    const node = await topicServer(pubsub);
    const channels = async (): Promise<number> => (await checker.PUBSUB_CHANNELS("sockserve:t*")).length;
    await node.command("sub");
    await eventually(channels, TOPICS);
    assert.deepEqual({ ...(await checker.PUBSUB_NUMSUB(["sockserve:t0", "sockserve:t9999"])) }, { "sockserve:t0": 1, "sockserve:t9999": 1 });
    const clients = (await checker.CLIENT_LIST()).length;
    assert.equal(clients, 3, "the node's subscriber and publisher, and this checker");
    await node.command("unsub");
    await eventually(channels, 0);
    node.close();
    await node.server.stop(true);
    assert.equal(node.server.pubsubStatus, "closed");
  });
});

describe("10,000 topics on PostgreSQL", { timeout: 300_000 }, () => {
  let cluster: PgCluster;
  before(async () => {
    const found = await ensurePgBin();
    if ("unavailable" in found) throw new Error(found.unavailable);
    cluster = await startCluster(found.bin);
  });
  after(async () => {
    await cluster?.stop();
  });

  it("listens and unlistens each topic once, over one connection", async () => {
    const pubsub: PostgresPubSub = postgresPubSub({ connectionString: cluster.url() });
    const node = await topicServer(pubsub);
    await eventually(async () => (pubsub.status === "connected" ? 1 : 0), 1);
    const listening = async (): Promise<number> => (await pubsub.listeningChannels()).length;
    await node.command("sub");
    await eventually(listening, TOPICS);
    const checker = new pg.Client({ connectionString: cluster.url() });
    await checker.connect();
    const { rows } = await checker.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()");
    await checker.end();
    assert.equal(Number(rows[0].n), 1, "one connection for the node");
    await node.command("unsub");
    await eventually(listening, 0);
    node.close();
    await node.server.stop(true);
  });

  it("relays a message of maxMessageSize bytes and logs, without relaying, one a byte over", async () => {
    const [a, b] = [postgresPubSub({ connectionString: cluster.url(), maxMessageSize: 20_000 }), postgresPubSub({ connectionString: cluster.url(), maxMessageSize: 20_000 })];
    const got: number[] = [];
    const logged: string[] = [];
    a.start({ message: () => {}, log: (l) => logged.push(l) });
    b.start({ message: (m) => got.push(m.payload.byteLength), log: () => {} });
    try {
      await eventually(async () => (a.status === "connected" && b.status === "connected" ? 1 : 0), 1);
      b.subscribe("big");
      await eventually(async () => (await b.listeningChannels()).length, 1);
      const message = (n: number) => ({ topic: "big", payload: Buffer.alloc(n, 7), binary: true, compress: false, origin: "a" });
      a.publish(message(20_001));
      a.publish(message(20_000));
      await eventually(async () => got.length, 1);
      assert.deepEqual(got, [20_000]);
      assert.equal(logged.length, 1);
      assert.match(logged[0], /20001-byte message .* over maxMessageSize \(20000\)/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
