// Connection over an in-memory duplex pair: keep-alive, pipelining order, 100-continue, timeouts
// and closing, all deterministic: time is passed to sweep() by the test, not read from a clock,
// and waits are turns of the event loop until the pair is quiet, never sleeps.
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { describe, it } from "node:test";
import { Connection } from "../../src/http/connection.js";
import type { Exchange, OutgoingResponse } from "../../src/http/exchange.js";
import { resolveLimits, type Limits } from "../../src/http/limits.js";
import { duplexPair } from "../support/duplex-pair.js";

function text(body: string, headers: string[] = []): OutgoingResponse {
  return { status: 200, statusText: "", headers, body, bodyLength: -1 };
}

interface Harness {
  conn: Connection;
  client: Duplex;
  exchanges: Exchange[];
  received(): string;
  send(data: string): void;
  /** settle waits until the pair is quiet: no byte or exchange moved for a few event-loop turns. */
  settle(): Promise<void>;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function harness(onExchange: (ex: Exchange) => void, limits: Partial<Limits> = {}): Harness {
  const [server, client] = duplexPair();
  const exchanges: Exchange[] = [];
  let out = "";
  client.on("data", (chunk: Buffer) => (out += chunk.toString("latin1")));
  const conn = new Connection(server, {
    limits: resolveLimits(limits),
    onExchange: (ex) => {
      exchanges.push(ex);
      onExchange(ex);
    },
    onError: () => {},
  });
  return {
    conn,
    client,
    exchanges,
    received: () => out,
    send: (data) => void client.write(data),
    settle: async () => {
      let quiet = 0;
      for (let seen = ""; quiet < 3; ) {
        await turn();
        const now = `${out.length}/${exchanges.length}`;
        quiet = now === seen ? quiet + 1 : 0;
        seen = now;
      }
    },
  };
}

const GET = (path: string, extra = ""): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n${extra}\r\n`;
const statusLines = (raw: string): string[] => raw.match(/HTTP\/1\.1 \d{3} /g) ?? [];

describe("Connection", () => {
  it("answers pipelined requests in order even when later ones finish first", async () => {
    // /b and /c are answered before /a: their answers must wait for /a's.
    const h = harness(() => {});
    h.send(GET("/a") + GET("/b") + GET("/c"));
    await h.settle();
    assert.equal(h.exchanges.length, 1, "the next request is parsed only once the current one is answered");
    const [a] = h.exchanges;
    a.respond(text("/a"));
    await h.settle();
    h.exchanges[1].respond(text("/b"));
    await h.settle();
    h.exchanges[2].respond(text("/c"));
    await h.settle();
    const bodies = h.received().split("\r\n\r\n").slice(1).map((part) => part.slice(0, 2));
    assert.deepEqual(bodies, ["/a", "/b", "/c"]);
    assert.deepEqual(h.exchanges.map((e) => e.head.path), ["/a", "/b", "/c"]);
  });

  it("does not parse the next request before the current response is done", async () => {
    const h = harness(() => {});
    h.send(GET("/1") + GET("/2"));
    await h.settle();
    assert.equal(h.exchanges.length, 1);
    h.exchanges[0].respond(text("one"));
    await h.settle();
    assert.equal(h.exchanges.length, 2);
  });

  it("keeps HTTP/1.1 alive and closes after Connection: close", async () => {
    const h = harness((ex) => ex.respond(text("x")));
    h.send(GET("/1") + GET("/2", "Connection: close\r\n") + GET("/3"));
    await h.settle();
    assert.equal(statusLines(h.received()).length, 2, "the request after close is never answered");
    assert.match(h.received(), /Connection: close\r\n/);
    assert.equal(h.exchanges.length, 2);
  });

  it("sends 100 Continue only when the handler reads the body", async () => {
    const h = harness(() => {});
    h.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    await h.settle();
    assert.equal(h.exchanges.length, 1);
    assert.equal(h.received(), "", "no 100 before the handler reads");
    const ex = h.exchanges[0];
    const read = ex.body!.read();
    await h.settle();
    assert.match(h.received(), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    h.send("ok");
    ex.respond(text(Buffer.from((await read)!).toString()));
    await h.settle();
    assert.match(h.received(), /\r\n\r\nok$/);
  });

  it("closes when a 100-continue body was never asked for", async () => {
    const h = harness((ex) => ex.respond(text("no")));
    h.send("POST / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    await h.settle();
    assert.doesNotMatch(h.received(), /100 Continue/);
    assert.match(h.received(), /Connection: close/);
  });

  it("drops an unread body and answers the next request", async () => {
    const h = harness((ex) => ex.respond(text(ex.head.path)));
    h.send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + GET("/next"));
    await h.settle();
    assert.deepEqual(h.exchanges.map((e) => e.head.path), ["/p", "/next"]);
  });

  it("answers 408 when the head is not done by headerTimeout, counted from the first byte", async () => {
    const h = harness(() => {}, { headerTimeout: 1000 });
    h.send("GET / HTTP/1.1\r\nHo");
    await h.settle();
    h.conn.sweep(Date.now() + 500);
    h.send("st: t\r\nX: 1\r\n"); // more bytes do not extend the deadline
    await h.settle();
    assert.equal(h.received(), "");
    h.conn.sweep(Date.now() + 1001);
    await h.settle();
    assert.match(h.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(h.received(), /Connection: close/);
  });

  it("closes an idle keep-alive connection silently after keepAliveTimeout", async () => {
    const h = harness((ex) => ex.respond(text("x")), { keepAliveTimeout: 10_000 });
    h.send(GET("/"));
    await h.settle();
    let ended = false;
    h.client.on("end", () => (ended = true));
    h.conn.sweep(Date.now() + 5000);
    await h.settle();
    assert.equal(h.conn.closed, false);
    h.conn.sweep(Date.now() + 10_001);
    await h.settle();
    assert.equal(h.conn.closed || ended, true);
    assert.equal(statusLines(h.received()).length, 1);
  });

  it("answers 408 when a body stalls past bodyTimeout", async () => {
    const h = harness((ex) => void ex.body!.read().then(() => ex.body!.read()).catch(() => {}), { bodyTimeout: 1000 });
    h.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    await h.settle();
    h.conn.sweep(Date.now() + 1001);
    await h.settle();
    assert.match(h.received(), /^HTTP\/1\.1 408 /);
    assert.equal(h.exchanges[0].aborted, true);
  });

  it("refuses a bad request with its status, closes, and never reads what follows", async () => {
    const h = harness((ex) => ex.respond(text("x")));
    h.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + GET("/smuggled"));
    await h.settle();
    assert.match(h.received(), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(statusLines(h.received()).length, 1);
    assert.equal(h.exchanges.length, 0);
  });

  it("stops reading pipelined requests while the peer does not read answers", async () => {
    const big = "x".repeat(64 * 1024);
    const h = harness((ex) => ex.respond(text(big)));
    h.client.pause();
    h.client.removeAllListeners("data");
    h.send(GET("/").repeat(200));
    await h.settle();
    assert.ok(h.exchanges.length < 20, `answered ${h.exchanges.length} requests to a peer that reads nothing`);
  });

  it("never hands a streamed chunk back to its reader on a Duplex that is not a net.Socket", async () => {
    // The pair passes chunk objects through, so a returned chunk could still be unread.
    const chunks = ["a".repeat(20_000), "b".repeat(30_000), "c".repeat(5)];
    let returned = 0;
    const reader = {
      read: async () => (chunks.length > 0 ? { done: false, value: Buffer.from(chunks.shift()!) } : { done: true }),
      cancel: () => {},
      recycle: () => void returned++,
    };
    const h = harness((ex) => ex.respond({ status: 200, statusText: "", headers: [], body: reader, bodyLength: 50_005 }));
    h.send(GET("/"));
    await h.settle();
    const body = h.received().split("\r\n\r\n")[1];
    assert.equal(body, "a".repeat(20_000) + "b".repeat(30_000) + "c".repeat(5));
    assert.equal(returned, 0);
  });
});
