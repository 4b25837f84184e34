// Durability of the built app (build/todo/main.js) with SQLite: a todo survives a graceful stop
// (SIGTERM, exit 0) and a restart; a todo whose 201 has arrived survives `kill -9` at once
// (WAL with synchronous=FULL: the write is on disk before the response goes out).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { api, LISTENING, startTodo, tempDir, type TempDir, type TodoChild } from "../support/todo-child.js";
import { TodoFeed, type TodoJson } from "../support/todo-ws.js";

describe("Todo app restarts (SQLite)", { timeout: 120_000 }, () => {
  let dir: TempDir;
  let db: string;
  const children: TodoChild[] = [];

  async function start(): Promise<TodoChild> {
    const child = await startTodo({ TODO_DB: db });
    children.push(child);
    return child;
  }

  before(async () => {
    dir = await tempDir();
    // A folder that does not exist yet: the store creates it.
    db = path.join(dir.dir, "data", "todo.db");
  });
  after(async () => {
    for (const child of children) if (!child.exited) await child.stop("SIGKILL").catch(() => {});
    await dir?.remove();
  });

  it("prints its URL, keeps a todo across SIGTERM (exit 0) and a restart", async () => {
    const first = await start();
    assert.match(first.output(), LISTENING);
    assert.ok(first.port > 0 && first.port < 65536);
    assert.ok(existsSync(db), "the database file is created, with its folder");

    const created = await api(first.base, "POST", "/api/todos", { title: "survives a restart" });
    assert.equal(created.status, 201);
    const todo = created.body as TodoJson;
    const patched = await api(first.base, "PATCH", `/api/todos/${todo.id}`, { done: true }, { "If-Match": '"v1"' });
    assert.equal(patched.status, 200);

    const exit = await first.stop("SIGTERM");
    assert.deepEqual(exit, { code: 0, signal: null }, `graceful stop should exit 0; output:\n${first.output()}`);
    assert.ok(!/error/i.test(first.output()), first.output());

    const second = await start();
    const read = await api(second.base, "GET", `/api/todos/${todo.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, patched.body, "the todo is back exactly as it was, done and at version 2");
    assert.equal(read.headers.get("etag"), '"v2"');
    const list = (await api(second.base, "GET", "/api/todos")).body as { total: number };
    assert.equal(list.total, 1);
    assert.deepEqual(await second.stop("SIGTERM"), { code: 0, signal: null });
  });

  it("keeps a todo (and an update) acknowledged just before kill -9", async () => {
    const child = await start();
    // Create, and kill the process the moment the 201's head arrives: no graceful close, no checkpoint.
    const res = await fetch(new URL("/api/todos", child.base), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "acknowledged, then killed" }),
    });
    process.kill(child.pid, "SIGKILL");
    assert.equal(res.status, 201);
    const location = res.headers.get("location")!;
    assert.match(location, /^\/api\/todos\/\d+$/);
    await res.arrayBuffer().catch(() => {});
    const exit = await child.exit;
    assert.equal(exit.signal, "SIGKILL");
    assert.ok(existsSync(`${db}-wal`), "the write-ahead log is left behind by the killed process");

    const again = await start();
    const read = await api(again.base, "GET", location);
    assert.equal(read.status, 200, `the todo acknowledged with 201 was lost: ${JSON.stringify(read.body)}`);
    assert.equal((read.body as TodoJson).title, "acknowledged, then killed");
    const id = (read.body as TodoJson).id;
    assert.equal(((await api(again.base, "GET", "/api/todos")).body as { total: number }).total, 2, "the first test's todo is still there too");

    // The same for an update: kill right after its 200.
    const patch = await fetch(new URL(location, again.base), {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "If-Match": '"v1"' },
      body: JSON.stringify({ title: "updated, then killed", done: true }),
    });
    process.kill(again.pid, "SIGKILL");
    assert.equal(patch.status, 200);
    await patch.arrayBuffer().catch(() => {});
    await again.exit;

    const last = await start();
    const after = await api(last.base, "GET", `/api/todos/${id}`);
    assert.equal(after.status, 200);
    assert.equal((after.body as TodoJson).title, "updated, then killed");
    assert.equal((after.body as TodoJson).done, true);
    assert.equal((after.body as TodoJson).version, 2);
    assert.deepEqual(await last.stop("SIGTERM"), { code: 0, signal: null });
  });

  it("stops gracefully (exit 0) with a WebSocket client still connected", async () => {
    const child = await start();
    const feed = await TodoFeed.connect(child.base);
    try {
      const exit = await child.stop("SIGTERM", 10_000);
      assert.deepEqual(exit, { code: 0, signal: null }, child.output());
    } finally {
      feed.ws.terminate();
    }
  });
});
