// Live updates: two `ws` clients on /ws both receive every change (upsert, delete, clear) made by a
// third client through the JSON API or the forms, in order and exactly once.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve, type Server } from "sockserve";
import { createTodoApp, TOPIC } from "../../apps/todo/app.js";
import { SqliteStore } from "../../apps/todo/sqlite-store.js";
import { api } from "../support/todo-child.js";
import { TodoFeed, type ChangeJson, type TodoJson } from "../support/todo-ws.js";

describe("Todo live updates over /ws", () => {
  let store: SqliteStore;
  let server: Server;
  let base: string;
  let feeds: TodoFeed[] = [];

  before(async () => {
    store = new SqliteStore(":memory:");
    const app = createTodoApp(store);
    server = await serve({ port: 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket });
    app.attach(server);
    base = server.url.href;
  });
  after(async () => {
    for (const feed of feeds) await feed.close();
    await server?.stop(true);
    await store?.close();
  });

  async function openFeeds(n: number): Promise<TodoFeed[]> {
    for (const feed of feeds) await feed.close();
    feeds = await Promise.all(Array.from({ length: n }, () => TodoFeed.connect(base)));
    // open() subscribes on the server; wait until it has, so no change can be missed.
    for (let i = 0; server.subscriberCount(TOPIC) !== n; i++) {
      assert.ok(i < 200, `expected ${n} subscribers, have ${server.subscriberCount(TOPIC)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return feeds;
  }

  /** both reads the next message from each feed and checks they are the same. */
  async function both(a: TodoFeed, b: TodoFeed): Promise<ChangeJson> {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    assert.deepEqual(y, x, "both clients see the same message");
    return x;
  }

  it("both clients see create, update, delete and clear made through the API", async () => {
    const [a, b] = await openFeeds(2);

    const created = await api(base, "POST", "/api/todos", { title: "live one" });
    const one = created.body as TodoJson;
    assert.deepEqual(await both(a, b), { type: "upsert", todo: one });

    const two = (await api(base, "POST", "/api/todos", { title: "live two" })).body as TodoJson;
    assert.deepEqual(await both(a, b), { type: "upsert", todo: two });

    const patched = await api(base, "PATCH", `/api/todos/${one.id}`, { done: true, title: "live one, done" }, { "If-Match": '"v1"' });
    assert.equal(patched.status, 200);
    assert.deepEqual(await both(a, b), { type: "upsert", todo: patched.body });

    // A refused write (412, 422, 404) publishes nothing.
    assert.equal((await api(base, "PATCH", `/api/todos/${one.id}`, { title: "stale" }, { "If-Match": '"v1"' })).status, 412);
    assert.equal((await api(base, "POST", "/api/todos", { title: "" })).status, 422);
    assert.equal((await api(base, "DELETE", "/api/todos/99999")).status, 404);

    assert.equal((await api(base, "DELETE", `/api/todos/${two.id}`)).status, 204);
    assert.deepEqual(await both(a, b), { type: "delete", id: two.id }, "the failed writes sent nothing before this delete");

    const three = (await api(base, "POST", "/api/todos", { title: "live three" })).body as TodoJson;
    assert.deepEqual(await both(a, b), { type: "upsert", todo: three });
    const threeDone = (await api(base, "PATCH", `/api/todos/${three.id}`, { done: true })).body as TodoJson;
    assert.deepEqual(await both(a, b), { type: "upsert", todo: threeDone });

    const cleared = await api(base, "POST", "/api/todos/clear-completed");
    const change = await both(a, b);
    assert.equal(change.type, "clear");
    assert.deepEqual([...(change as { ids: number[] }).ids].sort((x, y) => x - y), [one.id, three.id]);
    assert.deepEqual((cleared.body as { ids: number[] }).ids, (change as { ids: number[] }).ids);

    // Clearing when nothing is done changes nothing and says nothing.
    await api(base, "POST", "/api/todos/clear-completed");
    const marker = (await api(base, "POST", "/api/todos", { title: "marker" })).body as TodoJson;
    assert.deepEqual(await both(a, b), { type: "upsert", todo: marker }, "an empty clear published nothing");
    assert.equal(a.unread, 0);
    assert.equal(b.unread, 0);
  });

  it("both clients see changes made through the forms (no JavaScript)", async () => {
    const [a, b] = await openFeeds(2);
    const post = (target: string, body = "") =>
      fetch(new URL(target, base), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body, redirect: "manual" }).then(async (r) => {
        await r.arrayBuffer();
        assert.equal(r.status, 303);
        return r;
      });

    await post("/todos", "title=from+a+form");
    const up = await both(a, b);
    assert.equal(up.type, "upsert");
    const todo = (up as { todo: TodoJson }).todo;
    assert.equal(todo.title, "from a form");

    await post(`/todos/${todo.id}/toggle`);
    const toggled = await both(a, b);
    assert.deepEqual(toggled, { type: "upsert", todo: (await api(base, "GET", `/api/todos/${todo.id}`)).body });
    assert.deepEqual({ ...(toggled as { todo: TodoJson }).todo, updatedAt: "" }, { ...todo, done: true, version: 2, updatedAt: "" });

    await post("/todos/clear-completed");
    assert.deepEqual(await both(a, b), { type: "clear", ids: [todo.id] });

    await post("/todos", "title=to+delete");
    const del = ((await both(a, b)) as { todo: TodoJson }).todo;
    await post(`/todos/${del.id}/delete`);
    assert.deepEqual(await both(a, b), { type: "delete", id: del.id });
  });

  it("keeps publishing to the remaining client after the other disconnects, and a late client gets only new changes", async () => {
    const [a, b] = await openFeeds(2);
    await a.close();
    for (let i = 0; server.subscriberCount(TOPIC) !== 1; i++) {
      assert.ok(i < 200, "the closed client stays subscribed");
      await new Promise((r) => setTimeout(r, 10));
    }
    const t = (await api(base, "POST", "/api/todos", { title: "after a left" })).body as TodoJson;
    assert.deepEqual(await b.next(), { type: "upsert", todo: t });

    const late = await TodoFeed.connect(base);
    feeds.push(late);
    for (let i = 0; server.subscriberCount(TOPIC) !== 2; i++) {
      assert.ok(i < 200);
      await new Promise((r) => setTimeout(r, 10));
    }
    await api(base, "DELETE", `/api/todos/${t.id}`);
    assert.deepEqual(await late.next(), { type: "delete", id: t.id }, "the late client's first message is the new change, not history");
    assert.deepEqual(await b.next(), { type: "delete", id: t.id });
  });

  it("many quick changes arrive in order, one message each, on both clients", async () => {
    const [a, b] = await openFeeds(2);
    const made: TodoJson[] = [];
    for (let i = 0; i < 25; i++) made.push((await api(base, "POST", "/api/todos", { title: `burst ${i}` })).body as TodoJson);
    await Promise.all(made.map((t) => api(base, "PATCH", `/api/todos/${t.id}`, { done: true })));
    const [ma, mb] = await Promise.all([a.take(50), b.take(50)]);
    assert.deepEqual(mb, ma);
    assert.deepEqual(ma.slice(0, 25).map((m) => (m as { todo: TodoJson }).todo.title), made.map((t) => t.title));
    assert.ok(ma.slice(25).every((m) => m.type === "upsert" && m.todo.done && m.todo.version === 2));
    assert.deepEqual(new Set(ma.slice(25).map((m) => (m as { todo: TodoJson }).todo.id)), new Set(made.map((t) => t.id)));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(a.unread + b.unread, 0, "no duplicate messages");
  });
});
