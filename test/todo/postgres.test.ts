// The Todo app on PostgreSQL, in a private cluster (temp dir, free loopback port, trust auth):
// PgStore CRUD and If-Match semantics, the API over PgStore, and two app instances (two
// build/todo/main.js processes) sharing one database, with changes crossing between them by
// LISTEN/NOTIFY. When PostgreSQL is missing it is installed; when that is impossible, the tests
// are skipped loudly.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { serve, type Server } from "sockserve";
import { createTodoApp } from "../../apps/todo/app.js";
import { PgStore } from "../../apps/todo/pg-store.js";
import type { Change, Todo } from "../../apps/todo/store.js";
import { api, startTodo, type TodoChild } from "../support/todo-child.js";
import { ensurePgBin, startCluster, type PgCluster } from "../support/todo-pg.js";
import { TodoFeed, type TodoJson } from "../support/todo-ws.js";

let skipReason: string | null = null;

/** skipped skips the test loudly when the cluster could not be started. */
function skipped(t: TestContext): boolean {
  if (skipReason === null) return false;
  console.warn(`\n*** SKIPPED (PostgreSQL unavailable): ${t.name}: ${skipReason}\n`);
  t.skip(`PostgreSQL unavailable: ${skipReason}`);
  return true;
}

/** changes collects a store's onChange events and waits for them (bounded). */
function recorder(store: PgStore): { seen: Change[]; waitFor(n: number, ms?: number): Promise<Change[]> } {
  const seen: Change[] = [];
  store.onChange((c) => seen.push(c));
  return {
    seen,
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (seen.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} changes, got ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return seen.slice(0, n);
    },
  };
}

describe("Todo app on PostgreSQL", { timeout: 20 * 60_000 }, () => {
  let cluster: PgCluster | null = null;

  before(async () => {
    const found = await ensurePgBin();
    if ("unavailable" in found) {
      skipReason = found.unavailable;
      console.warn(`\n*** PostgreSQL tests will be SKIPPED: ${skipReason}\n`);
      return;
    }
    cluster = await startCluster(found.bin);
  });
  after(async () => {
    await cluster?.stop();
  });

  describe("PgStore", () => {
    let store: PgStore;
    let url: string;

    before(async () => {
      if (cluster === null) return;
      url = await cluster.createDatabase("store_test");
      store = await PgStore.open(url);
    });
    after(async () => {
      await store?.close();
    });

    it("creates, reads, lists (done filter, paging, total), updates, removes and clears", async (t) => {
      if (skipped(t)) return;
      assert.equal(await store.get(1), null);
      assert.deepEqual(await store.list({ limit: 10, offset: 0 }), { todos: [], total: 0 });

      const made: Todo[] = [];
      for (const title of ["pg a", "pg b", "pg c", "pg d", "pg e"]) made.push(await store.create(title));
      const a = made[0];
      assert.equal(typeof a.id, "number", "BIGSERIAL ids come back as numbers");
      assert.equal(a.title, "pg a");
      assert.equal(a.done, false);
      assert.equal(a.version, 1);
      assert.equal(a.order, 1);
      assert.ok(!Number.isNaN(Date.parse(a.createdAt)) && a.createdAt.endsWith("Z"));
      assert.deepEqual(made.map((t) => t.order), [1, 2, 3, 4, 5]);
      assert.deepEqual(await store.get(a.id), a);

      const upd = await store.update(made[1].id, { done: true });
      assert.ok(upd.ok);
      assert.deepEqual({ ...upd.value, updatedAt: "" }, { ...made[1], done: true, version: 2, updatedAt: "" }, "a partial patch keeps the other fields");
      await store.update(made[3].id, { done: true });

      const done = await store.list({ done: true, limit: 10, offset: 0 });
      assert.deepEqual(done.todos.map((t) => t.title), ["pg b", "pg d"]);
      assert.equal(done.total, 2);
      const open = await store.list({ done: false, limit: 2, offset: 1 });
      assert.deepEqual(open.todos.map((t) => t.title), ["pg c", "pg e"]);
      assert.equal(open.total, 3);
      const page = await store.list({ limit: 2, offset: 3 });
      assert.deepEqual(page.todos.map((t) => t.title), ["pg d", "pg e"]);
      assert.equal(page.total, 5);

      const all3 = await store.update(a.id, { title: "pg a2", done: true, order: 99 });
      assert.ok(all3.ok);
      assert.deepEqual([all3.value.title, all3.value.done, all3.value.order, all3.value.version], ["pg a2", true, 99, 2]);
      assert.deepEqual((await store.list({ limit: 10, offset: 0 })).todos.at(-1)!.id, a.id, "order 99 sorts last");

      assert.deepEqual(await store.remove(made[4].id), { ok: true, value: null });
      assert.equal(await store.get(made[4].id), null);
      assert.deepEqual(await store.remove(made[4].id), { ok: false, reason: "missing" });

      const cleared = await store.clearCompleted();
      assert.deepEqual([...cleared].sort((x, y) => x - y), [a.id, made[1].id, made[3].id]);
      assert.deepEqual((await store.list({ limit: 10, offset: 0 })).todos.map((t) => t.title), ["pg c"]);
      assert.deepEqual(await store.clearCompleted(), []);
    });

    it("applies ifVersion atomically: stale and missing are told apart, and a stale write changes nothing", async (t) => {
      if (skipped(t)) return;
      const todo = await store.create("versioned");
      assert.deepEqual(await store.update(todo.id, { title: "x" }, [7]), { ok: false, reason: "stale" });
      assert.deepEqual(await store.update(todo.id, { title: "x" }, []), { ok: false, reason: "stale" }, "an If-Match with no usable tag never matches");
      assert.deepEqual(await store.get(todo.id), todo);
      const ok = await store.update(todo.id, { title: "x" }, [1]);
      assert.ok(ok.ok && ok.value.version === 2 && ok.value.title === "x");
      assert.deepEqual(await store.update(todo.id, { title: "y" }, [1]), { ok: false, reason: "stale" });
      assert.deepEqual(await store.update(987654, { title: "y" }, [1]), { ok: false, reason: "missing" });
      assert.deepEqual(await store.update(987654, { title: "y" }), { ok: false, reason: "missing" });
      assert.deepEqual(await store.remove(todo.id, [1]), { ok: false, reason: "stale" });
      assert.ok((await store.get(todo.id)) !== null);
      assert.deepEqual(await store.remove(987654, [1]), { ok: false, reason: "missing" });
      assert.deepEqual(await store.remove(todo.id, [2]), { ok: true, value: null });

      // Twenty writers holding version 1 race on separate pool connections: exactly one wins.
      const raced = await store.create("raced");
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.update(raced.id, { title: `writer ${i}` }, [1])));
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1, `exactly one conditional write may win: ${JSON.stringify(results)}`);
      assert.ok(results.every((r) => r.ok || r.reason === "stale"));
      const now = (await store.get(raced.id))!;
      assert.equal(now.version, 2);
      assert.equal(now.title, (winners[0] as { value: Todo }).value.title);
    });

    it("tells onChange listeners about its own writes through NOTIFY, in order", async (t) => {
      if (skipped(t)) return;
      const other = await PgStore.open(url);
      try {
        const rec = recorder(other);
        const todo = await store.create("notified");
        const upd = await store.update(todo.id, { done: true });
        assert.ok(upd.ok);
        await store.clearCompleted();
        const kept = await store.create("kept");
        await store.remove(kept.id);
        const changes = await rec.waitFor(4);
        assert.deepEqual(changes.slice(0, 3), [
          { type: "upsert", todo },
          { type: "upsert", todo: upd.value },
          { type: "clear", ids: [todo.id] },
        ]);
        assert.deepEqual(changes[3], { type: "upsert", todo: kept });
        assert.deepEqual((await rec.waitFor(5))[4], { type: "delete", id: kept.id });
      } finally {
        await other.close();
      }
    });
  });

  describe("the API over PgStore (in-process handler)", () => {
    let store: PgStore;
    let server: Server;

    before(async () => {
      if (cluster === null) return;
      store = await PgStore.open(await cluster.createDatabase("api_test"));
      const app = createTodoApp(store);
      server = await serve({ port: 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket });
      app.attach(server);
    });
    after(async () => {
      await server?.stop(true);
      await store?.close();
    });

    it("answers with ETags, 412 for stale If-Match (update and delete), 304 and 404", async (t) => {
      if (skipped(t)) return;
      const call = async (method: string, target: string, body?: unknown, headers: Record<string, string> = {}) => {
        const res = await server.fetch(
          new Request(`http://x${target}`, { method, headers: body === undefined ? headers : { "Content-Type": "application/json", ...headers }, body: body === undefined ? null : JSON.stringify(body) }),
        );
        const text = await res.text();
        return { status: res.status, headers: res.headers, body: text === "" ? null : (JSON.parse(text) as unknown) };
      };
      const created = await call("POST", "/api/todos", { title: "on postgres" });
      assert.equal(created.status, 201);
      const todo = created.body as TodoJson;
      assert.equal(created.headers.get("etag"), '"v1"');
      assert.equal(created.headers.get("location"), `/api/todos/${todo.id}`);
      assert.equal((await call("GET", `/api/todos/${todo.id}`, undefined, { "If-None-Match": '"v1"' })).status, 304);
      assert.equal((await call("PATCH", `/api/todos/${todo.id}`, { done: true }, { "If-Match": '"v1"' })).status, 200);
      const stale = await call("PATCH", `/api/todos/${todo.id}`, { done: false }, { "If-Match": '"v1"' });
      assert.equal(stale.status, 412);
      assert.deepEqual(stale.body, { error: "the todo changed since you read it (If-Match)" });
      assert.equal((await call("DELETE", `/api/todos/${todo.id}`, undefined, { "If-Match": '"v1"' })).status, 412);
      assert.equal(((await call("GET", `/api/todos/${todo.id}`)).body as TodoJson).done, true);
      assert.equal((await call("DELETE", `/api/todos/${todo.id}`, undefined, { "If-Match": '"v2"' })).status, 204);
      assert.deepEqual((await call("GET", `/api/todos/${todo.id}`)).body, { error: "no such todo" });
      assert.equal((await call("PATCH", `/api/todos/${todo.id}`, { done: true })).status, 404);
      const list = await call("GET", "/api/todos?done=true&limit=5&offset=0");
      assert.deepEqual(list.body, { todos: [], total: 0, limit: 5, offset: 0 });
    });
  });

  describe("two app instances sharing the database", () => {
    let a: TodoChild;
    let b: TodoChild;
    let dbUrl: string;
    const feeds: TodoFeed[] = [];

    before(async () => {
      if (cluster === null) return;
      dbUrl = await cluster.createDatabase("shared");
      // Started together: the migration runs under an advisory lock.
      [a, b] = await Promise.all([startTodo({ DATABASE_URL: dbUrl }), startTodo({ DATABASE_URL: dbUrl })]);
    });
    after(async () => {
      for (const f of feeds) await f.close();
      for (const child of [a, b]) if (child && !child.exited) await child.stop("SIGTERM").catch(() => child.stop("SIGKILL"));
    });

    async function feedOn(child: TodoChild): Promise<TodoFeed> {
      const feed = await TodoFeed.connect(child.base);
      feeds.push(feed);
      return feed;
    }

    it("listen on different ports", (t) => {
      if (skipped(t)) return;
      assert.notEqual(a.port, b.port);
      assert.match(a.output(), /Todo app listening on http:\/\/127\.0\.0\.1:\d+\//);
    });

    it("a change made through A reaches a WebSocket client on B, and B reads what A wrote", async (t) => {
      if (skipped(t)) return;
      const onB = await feedOn(b);
      const onA = await feedOn(a);

      const created = await api(a.base, "POST", "/api/todos", { title: "written on A" });
      assert.equal(created.status, 201);
      const todo = created.body as TodoJson;
      assert.deepEqual(await onB.next(5000, "the create on B"), { type: "upsert", todo });
      assert.deepEqual(await onA.next(5000, "the create on A"), { type: "upsert", todo }, "A's own clients hear it too (A hears its own NOTIFY)");

      const read = await api(b.base, "GET", `/api/todos/${todo.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, todo);
      assert.equal(read.headers.get("etag"), '"v1"');

      // An ETag from A is good on B, and a stale one is refused on B.
      const patched = await api(a.base, "PATCH", `/api/todos/${todo.id}`, { done: true }, { "If-Match": '"v1"' });
      assert.equal(patched.status, 200);
      assert.deepEqual(await onB.next(5000, "the update on B"), { type: "upsert", todo: patched.body });
      assert.equal((await api(b.base, "PATCH", `/api/todos/${todo.id}`, { title: "stale" }, { "If-Match": '"v1"' })).status, 412);
      const onBRead = await api(b.base, "GET", `/api/todos/${todo.id}`);
      assert.deepEqual(onBRead.body, patched.body);

      // Deleting through B reaches A's client; clearing through A reaches B's.
      const other = (await api(b.base, "POST", "/api/todos", { title: "written on B" })).body as TodoJson;
      assert.deepEqual(await onA.next(5000, "A's update on A"), { type: "upsert", todo: patched.body });
      assert.deepEqual(await onA.next(5000, "B's create on A"), { type: "upsert", todo: other });
      assert.equal((await api(b.base, "DELETE", `/api/todos/${other.id}`)).status, 204);
      assert.deepEqual(await onA.next(5000, "B's delete on A"), { type: "delete", id: other.id });
      assert.equal((await api(a.base, "GET", `/api/todos/${other.id}`)).status, 404);

      const cleared = await api(a.base, "POST", "/api/todos/clear-completed");
      assert.deepEqual(cleared.body, { deleted: 1, ids: [todo.id] });
      // B's client saw: update (read above), its own create, its own delete, then A's clear.
      assert.deepEqual((await onB.take(2)).map((m) => m.type), ["upsert", "delete"]);
      assert.deepEqual(await onB.next(5000, "A's clear on B"), { type: "clear", ids: [todo.id] });
      assert.deepEqual((await api(b.base, "GET", "/api/todos")).body, { todos: [], total: 0, limit: 100, offset: 0 });
    });

    it("forms posted to A show on B's page", async (t) => {
      if (skipped(t)) return;
      const res = await fetch(new URL("/todos", a.base), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "title=%3Cb%3Eshared%3C%2Fb%3E", redirect: "manual" });
      assert.equal(res.status, 303);
      const html = await (await fetch(b.base)).text();
      assert.ok(html.includes('<span class="title">&#60;b&#62;shared&#60;/b&#62;</span>'));
    });

    it("every instance's clients get one todo's concurrent updates in version order, ending on the stored state", async (t) => {
      if (skipped(t)) return;
      // A page applies messages in arrival order, so they must arrive in the order the writes
      // committed; otherwise an open tab can end up showing an older version for good.
      const onB = await feedOn(b);
      const writers = 30;
      for (let round = 1; round <= 3; round++) {
        const todo = (await api(a.base, "POST", "/api/todos", { title: `hot ${round}` })).body as TodoJson;
        assert.equal((await onB.next(5000, "the create")).type, "upsert");
        const replies = await Promise.all(Array.from({ length: writers }, (_, i) => api(a.base, "PATCH", `/api/todos/${todo.id}`, { title: `hot ${round}.${i}` })));
        assert.ok(replies.every((r) => r.status === 200));
        const messages = await onB.take(writers, 10_000);
        const stored = (await api(b.base, "GET", `/api/todos/${todo.id}`)).body as TodoJson;
        assert.equal(stored.version, writers + 1);
        const versions = messages.map((m) => (m.type === "upsert" && m.todo.id === todo.id ? m.todo.version : -1));
        assert.deepEqual(versions, Array.from({ length: writers }, (_, i) => i + 2), `round ${round}: upserts arrived out of commit order`);
        assert.deepEqual((messages.at(-1) as { todo: TodoJson }).todo, stored, `round ${round}: the last message is not the stored state`);
      }
    });

    it("a clear of many completed todos (over NOTIFY's 8000-byte payload limit) succeeds and reaches B", async (t) => {
      if (skipped(t)) return;
      const onB = await feedOn(b);
      const n = 2000;
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      let ids: number[];
      try {
        const r = await client.query<{ id: string }>("INSERT INTO todos (title, done, sort_order) SELECT 'bulk ' || g, true, g FROM generate_series(1, $1::int) g RETURNING id", [n]);
        ids = r.rows.map((row) => Number(row.id));
      } finally {
        await client.end();
      }
      const cleared = await api(a.base, "POST", "/api/todos/clear-completed");
      assert.equal(cleared.status, 200, `clear-completed failed: ${JSON.stringify(cleared.body)}; A printed:\n${a.output()}`);
      assert.equal((cleared.body as { deleted: number }).deleted, n);
      const cleared2 = [] as number[];
      while (cleared2.length < n) {
        const m = await onB.next(5000, "the clear on B");
        assert.equal(m.type, "clear");
        cleared2.push(...(m as { ids: number[] }).ids);
      }
      assert.deepEqual(cleared2.sort((x, y) => x - y), ids.sort((x, y) => x - y));
    });

    it("both instances stop gracefully (SIGTERM, exit 0)", async (t) => {
      if (skipped(t)) return;
      for (const f of feeds.splice(0)) await f.close();
      const [ea, eb] = await Promise.all([a.stop("SIGTERM"), b.stop("SIGTERM")]);
      assert.deepEqual(ea, { code: 0, signal: null }, a.output());
      assert.deepEqual(eb, { code: 0, signal: null }, b.output());
    });
  });
});
