// Concurrent clients against the built app (a separate process, SQLite): 20 clients at once each
// create 5 todos, and every todo gets two read-modify-write updates from two different clients,
// made to collide on purpose; with If-Match and a retry on 412 no write is lost.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { api, startTodo, tempDir, type TempDir, type TodoChild } from "../support/todo-child.js";
import type { TodoJson } from "../support/todo-ws.js";

const CLIENTS = 20;
const PER_CLIENT = 5;
const MAX_ATTEMPTS = 50;

/** pairBarrier resolves for both callers once two have arrived. */
function pairBarrier(): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const both = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === 2) release();
    return both;
  };
}

describe("Todo app under concurrent clients", { timeout: 120_000 }, () => {
  let dir: TempDir;
  let app: TodoChild;

  before(async () => {
    dir = await tempDir();
    app = await startTodo({ TODO_DB: path.join(dir.dir, "todo.db") });
  });
  after(async () => {
    if (app && !app.exited) await app.stop("SIGTERM").catch(() => app.stop("SIGKILL"));
    await dir?.remove();
  });

  it("20 clients x 5 todos x 2 colliding If-Match updates: every todo exists with both updates, none lost", async () => {
    const base = app.base;
    let preconditionFailures = 0;
    let otherFailures: string[] = [];

    // Phase 1: every client creates its todos, all clients at once.
    const created: TodoJson[][] = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const mine: TodoJson[] = [];
        for (let k = 0; k < PER_CLIENT; k++) {
          const r = await api(base, "POST", "/api/todos", { title: `c${c}-t${k}` });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          assert.equal(r.headers.get("etag"), '"v1"');
          mine.push(r.body as TodoJson);
        }
        return mine;
      }),
    );
    const all = created.flat();
    assert.equal(new Set(all.map((t) => t.id)).size, CLIENTS * PER_CLIENT, "every create got its own id");

    // Phase 2: todo (c, k) is updated by client c ("A": append " A", done) and by client c+1
    // ("B": append " B", order + 1000). Both read first and wait for each other before writing,
    // so exactly one of each pair must get 412 and retry on a fresh read.
    const barriers = new Map(all.map((t) => [t.id, pairBarrier()]));
    async function update(id: number, change: (t: TodoJson) => Record<string, unknown>): Promise<void> {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const read = await api(base, "GET", `/api/todos/${id}`);
        assert.equal(read.status, 200);
        const etag = read.headers.get("etag")!;
        assert.equal(etag, `"v${(read.body as TodoJson).version}"`);
        if (attempt === 1) await barriers.get(id)!();
        const r = await api(base, "PATCH", `/api/todos/${id}`, change(read.body as TodoJson), { "If-Match": etag });
        if (r.status === 200) return;
        if (r.status === 412) {
          preconditionFailures++;
          continue;
        }
        otherFailures.push(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
        return;
      }
      otherFailures.push(`${id}: still 412 after ${MAX_ATTEMPTS} attempts`);
    }
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        Promise.all([
          ...created[c].map((t) => update(t.id, (now) => ({ title: `${now.title} A`, done: true }))),
          ...created[(c + CLIENTS - 1) % CLIENTS].map((t) => update(t.id, (now) => ({ title: `${now.title} B`, order: now.order + 1000 }))),
        ]),
      ),
    );
    assert.deepEqual(otherFailures, []);
    otherFailures = [];
    assert.equal(preconditionFailures, CLIENTS * PER_CLIENT, "each colliding pair produces exactly one 412");

    // Afterwards: the right count, and every todo carries both updates exactly once.
    const list = await api(base, "GET", "/api/todos?limit=500");
    const { todos, total } = list.body as { todos: TodoJson[]; total: number };
    assert.equal(total, CLIENTS * PER_CLIENT);
    assert.equal(todos.length, CLIENTS * PER_CLIENT);
    const byId = new Map(todos.map((t) => [t.id, t]));
    for (const orig of all) {
      const now = byId.get(orig.id);
      assert.ok(now, `todo ${orig.id} (${orig.title}) is missing`);
      assert.ok(now.title === `${orig.title} A B` || now.title === `${orig.title} B A`, `todo ${orig.id} lost an update: ${JSON.stringify(now.title)}`);
      assert.equal(now.done, true, `todo ${orig.id} lost update A (done)`);
      assert.equal(now.order, orig.order + 1000, `todo ${orig.id} lost update B (order)`);
      assert.equal(now.version, 3, `todo ${orig.id} should have been written exactly twice after its creation`);
    }
    assert.equal(((await api(base, "GET", "/api/todos?done=false")).body as { total: number }).total, 0);
  });

  it("20 clients incrementing one counter with If-Match all land: the count is exact", async () => {
    const base = app.base;
    const made = await api(base, "POST", "/api/todos", { title: "0" });
    const id = (made.body as TodoJson).id;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let attempt = 1; ; attempt++) {
          assert.ok(attempt <= 200, "too many retries");
          const read = await api(base, "GET", `/api/todos/${id}`);
          const next = String(Number((read.body as TodoJson).title) + 1);
          const r = await api(base, "PATCH", `/api/todos/${id}`, { title: next }, { "If-Match": read.headers.get("etag")! });
          if (r.status === 200) return;
          assert.equal(r.status, 412, JSON.stringify(r.body));
          conflicts++;
        }
      }),
    );
    const final = (await api(base, "GET", `/api/todos/${id}`)).body as TodoJson;
    assert.equal(final.title, String(CLIENTS), `increments were lost (${conflicts} conflicts retried)`);
    assert.equal(final.version, CLIENTS + 1);
  });
});
