// The Todo JSON API through server.fetch (the handler in-process, no socket): list with the done
// filter and paging, create/read/update/delete, clear completed, every validation error with its
// status and JSON body, 404s, ETag with If-Match (412) and If-None-Match (304).
import { after, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { serve, type Server } from "sockserve";
import { createTodoApp } from "../../apps/todo/app.js";
import { SqliteStore } from "../../apps/todo/sqlite-store.js";
import type { TodoJson } from "../support/todo-ws.js";

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

describe("Todo API through the handler (no socket)", () => {
  let store: SqliteStore;
  let server: Server;

  // A fresh database for every test, so each starts from an empty list with ids from 1.
  beforeEach(async () => {
    await server?.stop(true);
    await store?.close();
    store = new SqliteStore(":memory:");
    const app = createTodoApp(store);
    server = await serve({ port: 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket });
    app.attach(server);
  });
  after(async () => {
    await server?.stop(true);
    await store?.close();
  });

  async function call(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    }
    const res = await server.fetch(new Request(`http://x${target}`, init));
    const text = await res.text();
    let parsed: unknown = null;
    if ((res.headers.get("content-type") ?? "").startsWith("application/json")) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  async function create(title: string): Promise<TodoJson> {
    const r = await call("POST", "/api/todos", { title });
    assert.equal(r.status, 201, r.text);
    return r.body as TodoJson;
  }

  /** expectError checks status, a JSON content type and a body that is exactly { error: message }. */
  function expectError(r: Reply, status: number, message: string | RegExp): void {
    assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    const body = r.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ["error"], r.text);
    if (typeof message === "string") assert.equal(body.error, message);
    else assert.match(String(body.error), message);
  }

  describe("list", () => {
    it("starts empty, with the default limit and offset", async () => {
      const r = await call("GET", "/api/todos");
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type")!, /^application\/json/);
      assert.equal(r.headers.get("cache-control"), "no-store");
      assert.deepEqual(r.body, { todos: [], total: 0, limit: 100, offset: 0 });
    });

    it("filters by done and pages with limit and offset, total counting the whole filtered set", async () => {
      const made: TodoJson[] = [];
      for (let i = 1; i <= 7; i++) made.push(await create(`task ${i}`));
      for (const i of [1, 4, 6]) assert.equal((await call("PATCH", `/api/todos/${made[i].id}`, { done: true })).status, 200);
      const ids = (r: Reply) => (r.body as { todos: TodoJson[] }).todos.map((t) => t.id);

      const all = await call("GET", "/api/todos");
      assert.deepEqual(ids(all), made.map((t) => t.id));
      assert.equal((all.body as { total: number }).total, 7);

      const done = await call("GET", "/api/todos?done=true");
      assert.deepEqual(ids(done), [made[1].id, made[4].id, made[6].id]);
      assert.equal((done.body as { total: number }).total, 3);
      assert.ok((done.body as { todos: TodoJson[] }).todos.every((t) => t.done));

      const open = await call("GET", "/api/todos?done=false");
      assert.deepEqual(ids(open), [made[0].id, made[2].id, made[3].id, made[5].id]);
      assert.equal((open.body as { total: number }).total, 4);

      const page = await call("GET", "/api/todos?limit=3&offset=2");
      assert.deepEqual(page.body, { todos: (all.body as { todos: TodoJson[] }).todos.slice(2, 5), total: 7, limit: 3, offset: 2 });

      const openPage = await call("GET", "/api/todos?done=false&limit=2&offset=1");
      assert.deepEqual(ids(openPage), [made[2].id, made[3].id]);
      assert.equal((openPage.body as { total: number }).total, 4);
      assert.equal((openPage.body as { limit: number }).limit, 2);

      const past = await call("GET", "/api/todos?offset=50");
      assert.deepEqual(past.body, { todos: [], total: 7, limit: 100, offset: 50 });

      const max = await call("GET", "/api/todos?limit=500");
      assert.equal((max.body as { todos: TodoJson[] }).todos.length, 7);
    });

    const badQueries: [string, RegExp][] = [
      ["done=yes", /^done must be true or false$/],
      ["done=1", /^done must be true or false$/],
      ["done=", /^done must be true or false$/],
      ["limit=0", /^limit must be a whole number from 1 to 500$/],
      ["limit=501", /^limit must be a whole number from 1 to 500$/],
      ["limit=abc", /^limit must be a whole number/],
      ["limit=-1", /^limit must be a whole number/],
      ["limit=2.5", /^limit must be a whole number/],
      ["offset=-1", /^offset must be a whole number from 0 to 1000000000$/],
      ["offset=1e3", /^offset must be a whole number/],
    ];
    for (const [query, message] of badQueries) {
      it(`answers ?${query} with 400 and a JSON error`, async () => {
        expectError(await call("GET", `/api/todos?${query}`), 400, message);
      });
    }
  });

  describe("create", () => {
    it("answers 201 with Location, ETag \"v1\", no-store and the stored todo", async () => {
      const r = await call("POST", "/api/todos", { title: "  buy milk  " });
      assert.equal(r.status, 201);
      const todo = r.body as TodoJson;
      assert.equal(r.headers.get("location"), `/api/todos/${todo.id}`);
      assert.equal(r.headers.get("etag"), '"v1"');
      assert.equal(r.headers.get("cache-control"), "no-store");
      assert.equal(todo.title, "buy milk", "the title is trimmed");
      assert.equal(todo.done, false);
      assert.equal(todo.version, 1);
      assert.equal(todo.order, 1);
      assert.ok(Number.isInteger(todo.id) && todo.id > 0);
      assert.ok(!Number.isNaN(Date.parse(todo.createdAt)) && todo.createdAt === todo.updatedAt);
      assert.deepEqual(Object.keys(todo).sort(), ["createdAt", "done", "id", "order", "title", "updatedAt", "version"]);
      // The Location header leads to the same todo.
      const read = await call("GET", r.headers.get("location")!);
      assert.deepEqual(read.body, todo);
    });

    it("gives new todos increasing ids and orders", async () => {
      const a = await create("a");
      const b = await create("b");
      const c = await create("c");
      assert.ok(a.id < b.id && b.id < c.id);
      assert.ok(a.order < b.order && b.order < c.order);
    });

    it("accepts a 200-character title, counting characters (code points), not UTF-16 units", async () => {
      assert.equal((await create("x".repeat(200))).title.length, 200);
      const emoji = "😀".repeat(200);
      assert.equal((await create(emoji)).title, emoji);
      assert.equal((await create("é".repeat(200))).title, "é".repeat(200));
      assert.equal((await create("<b>&\"'</b>")).title, "<b>&\"'</b>", "the API stores titles as given, HTML and all");
    });

    it("accepts application/json with parameters", async () => {
      const r = await call("POST", "/api/todos", JSON.stringify({ title: "typed" }), { "Content-Type": "Application/JSON; charset=utf-8" });
      assert.equal(r.status, 201, r.text);
    });

    const invalid: [string, unknown, string][] = [
      ["an empty title", { title: "" }, "title must not be empty"],
      ["a blank title", { title: " \t\n " }, "title must not be empty"],
      ["a 201-character title", { title: "x".repeat(201) }, "title must be at most 200 characters"],
      ["201 emoji", { title: "😀".repeat(201) }, "title must be at most 200 characters"],
      ["a missing title", {}, "title must be a string"],
      ["a numeric title", { title: 42 }, "title must be a string"],
      ["a null title", { title: null }, "title must be a string"],
      ["an array title", { title: ["a"] }, "title must be a string"],
      ["an unknown field", { title: "ok", done: true }, "unknown field: done"],
      ["two unknown fields", { title: "ok", id: 9, version: 3 }, "unknown fields: id, version"],
    ];
    for (const [what, body, message] of invalid) {
      it(`answers ${what} with 422 and stores nothing`, async () => {
        expectError(await call("POST", "/api/todos", body), 422, message);
        assert.equal(((await call("GET", "/api/todos")).body as { total: number }).total, 0);
      });
    }

    const badBodies: [string, string, string][] = [
      ["broken JSON", "{\"title\": ", "the body is not valid JSON"],
      ["an empty body", "", "the body is not valid JSON"],
      ["a JSON array", "[\"title\"]", "the body must be a JSON object"],
      ["JSON null", "null", "the body must be a JSON object"],
      ["a JSON string", "\"title\"", "the body must be a JSON object"],
      ["a JSON number", "7", "the body must be a JSON object"],
    ];
    for (const [what, text, message] of badBodies) {
      it(`answers ${what} with 400`, async () => {
        expectError(await call("POST", "/api/todos", text, { "Content-Type": "application/json" }), 400, message);
      });
    }

    const badTypes: [string, Record<string, string>][] = [
      ["text/plain", { "Content-Type": "text/plain" }],
      ["a form", { "Content-Type": "application/x-www-form-urlencoded" }],
      ["no content type", {}],
      ["application/jsonp", { "Content-Type": "application/jsonp" }],
    ];
    for (const [what, headers] of badTypes) {
      it(`answers ${what} with 415`, async () => {
        const res = await server.fetch(new Request("http://x/api/todos", { method: "POST", headers, body: JSON.stringify({ title: "t" }) }));
        const text = await res.text();
        assert.equal(res.status, 415, text);
        assert.deepEqual(JSON.parse(text), { error: "send the body as application/json" });
      });
    }

    it("answers a body over 16 KiB with 413", async () => {
      expectError(await call("POST", "/api/todos", JSON.stringify({ title: "t", pad: "x".repeat(16 * 1024) })), 413, /larger than 16384 bytes/);
    });
  });

  describe("read", () => {
    it("returns the todo with its ETag, and 304 (no body) for a matching If-None-Match", async () => {
      const t = await create("read me");
      const r = await call("GET", `/api/todos/${t.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, t);
      assert.equal(r.headers.get("etag"), '"v1"');
      assert.equal(r.headers.get("cache-control"), "no-store");

      const cached = await call("GET", `/api/todos/${t.id}`, undefined, { "If-None-Match": '"v1"' });
      assert.equal(cached.status, 304);
      assert.equal(cached.text, "");
      assert.equal(cached.headers.get("etag"), '"v1"');

      await call("PATCH", `/api/todos/${t.id}`, { title: "changed" });
      const stale = await call("GET", `/api/todos/${t.id}`, undefined, { "If-None-Match": '"v1"' });
      assert.equal(stale.status, 200, "a stale If-None-Match gets the new representation");
      assert.equal(stale.headers.get("etag"), '"v2"');
      assert.equal((stale.body as TodoJson).title, "changed");
    });

    for (const id of ["999", "0", "01", "abc", "-1", "1.5", "99999999999999999"]) {
      it(`answers GET /api/todos/${id} with 404`, async () => {
        await create("exists");
        expectError(await call("GET", `/api/todos/${id}`), 404, "no such todo");
      });
    }

    it("answers unknown paths under /api with a JSON 404, and unknown methods with 405 and Allow", async () => {
      const t = await create("x");
      expectError(await call("GET", `/api/todos/${t.id}/extra`), 404, "not found");
      expectError(await call("GET", "/api/nothing"), 404, "not found");
      const put = await call("PUT", `/api/todos/${t.id}`, { title: "y" });
      assert.equal(put.status, 405);
      assert.equal(put.headers.get("allow"), "DELETE, GET, HEAD, OPTIONS, PATCH");
      const delAll = await call("DELETE", "/api/todos");
      assert.equal(delAll.status, 405);
      assert.equal(delAll.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
      assert.equal((await call("GET", "/api/todos/clear-completed")).status, 405);
    });
  });

  describe("update", () => {
    it("changes title, done and order, bumping version, ETag and updatedAt", async () => {
      const t = await create("first");
      await new Promise((r) => setTimeout(r, 5));
      const a = await call("PATCH", `/api/todos/${t.id}`, { title: "  renamed  " });
      assert.equal(a.status, 200);
      assert.equal(a.headers.get("etag"), '"v2"');
      const v2 = a.body as TodoJson;
      assert.deepEqual({ ...v2, updatedAt: t.updatedAt }, { ...t, title: "renamed", version: 2 });
      assert.ok(v2.updatedAt > t.updatedAt, "updatedAt moves forward");
      assert.equal(v2.createdAt, t.createdAt);

      const b = await call("PATCH", `/api/todos/${t.id}`, { done: true });
      assert.equal(b.headers.get("etag"), '"v3"');
      assert.deepEqual({ ...(b.body as TodoJson), updatedAt: "" }, { ...v2, done: true, version: 3, updatedAt: "" });

      const c = await call("PATCH", `/api/todos/${t.id}`, { done: false, order: 42, title: "all three" });
      assert.deepEqual({ ...(c.body as TodoJson), updatedAt: "" }, { ...v2, title: "all three", done: false, order: 42, version: 4, updatedAt: "" });

      // What the PATCH answered is what a read returns.
      assert.deepEqual((await call("GET", `/api/todos/${t.id}`)).body, c.body);
    });

    it("reorders the list by order, then id", async () => {
      const a = await create("a");
      const b = await create("b");
      const c = await create("c");
      await call("PATCH", `/api/todos/${c.id}`, { order: -5 });
      await call("PATCH", `/api/todos/${a.id}`, { order: b.order });
      const list = (await call("GET", "/api/todos")).body as { todos: TodoJson[] };
      assert.deepEqual(list.todos.map((t) => t.title), ["c", "a", "b"], "c first (order -5); a and b share an order, so id decides");
    });

    const invalid: [string, unknown, string][] = [
      ["an empty patch", {}, "nothing to update: give title, done or order"],
      ["an empty title", { title: "" }, "title must not be empty"],
      ["a 201-character title", { title: "y".repeat(201) }, "title must be at most 200 characters"],
      ["a numeric title", { title: 5 }, "title must be a string"],
      ["a string done", { done: "true" }, "done must be true or false"],
      ["a numeric done", { done: 1 }, "done must be true or false"],
      ["a null done", { done: null }, "done must be true or false"],
      ["a fractional order", { order: 1.5 }, "order must be an integer"],
      ["a string order", { order: "3" }, "order must be an integer"],
      ["a huge order", { order: 1e10 }, "order must be an integer"],
      ["an unknown field", { done: true, version: 9 }, "unknown field: version"],
      ["an id field", { id: 2 }, "unknown field: id"],
    ];
    for (const [what, body, message] of invalid) {
      it(`answers ${what} with 422 and leaves the todo alone`, async () => {
        const t = await create("keep");
        expectError(await call("PATCH", `/api/todos/${t.id}`, body), 422, message);
        assert.deepEqual((await call("GET", `/api/todos/${t.id}`)).body, t);
      });
    }

    it("answers a bad body with 400 and a wrong content type with 415", async () => {
      const t = await create("keep");
      expectError(await call("PATCH", `/api/todos/${t.id}`, "{nope"), 400, "the body is not valid JSON");
      expectError(await call("PATCH", `/api/todos/${t.id}`, "done=true", { "Content-Type": "application/x-www-form-urlencoded" }), 415, "send the body as application/json");
      assert.deepEqual((await call("GET", `/api/todos/${t.id}`)).body, t);
    });

    it("answers a missing todo with 404 (even with a valid body or an If-Match)", async () => {
      expectError(await call("PATCH", "/api/todos/77", { done: true }), 404, "no such todo");
      expectError(await call("PATCH", "/api/todos/77", { done: true }, { "If-Match": '"v1"' }), 404, "no such todo");
      expectError(await call("PATCH", "/api/todos/x", { done: true }), 404, "no such todo");
    });
  });

  describe("If-Match", () => {
    it("applies an update whose If-Match is current and refuses a stale one with 412, leaving the todo as it was", async () => {
      const t = await create("contended");
      const ok = await call("PATCH", `/api/todos/${t.id}`, { title: "first writer" }, { "If-Match": '"v1"' });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get("etag"), '"v2"');

      const stale = await call("PATCH", `/api/todos/${t.id}`, { title: "second writer" }, { "If-Match": '"v1"' });
      expectError(stale, 412, "the todo changed since you read it (If-Match)");
      const now = (await call("GET", `/api/todos/${t.id}`)).body as TodoJson;
      assert.equal(now.title, "first writer");
      assert.equal(now.version, 2);

      const retried = await call("PATCH", `/api/todos/${t.id}`, { title: "second writer" }, { "If-Match": '"v2"' });
      assert.equal(retried.status, 200);
      assert.equal((retried.body as TodoJson).title, "second writer");
    });

    it("treats * (and a missing header) as unconditional", async () => {
      const t = await create("star");
      assert.equal((await call("PATCH", `/api/todos/${t.id}`, { done: true }, { "If-Match": "*" })).status, 200);
      assert.equal((await call("PATCH", `/api/todos/${t.id}`, { done: false })).status, 200);
    });

    for (const header of ['"v999"', "v1", '"1"', 'W/"v1"', '"v1', "garbage"]) {
      it(`never matches If-Match: ${header} (412)`, async () => {
        const t = await create("strict");
        expectError(await call("PATCH", `/api/todos/${t.id}`, { done: true }, { "If-Match": header }), 412, /If-Match/);
        assert.equal(((await call("GET", `/api/todos/${t.id}`)).body as TodoJson).version, 1);
      });
    }

    it("refuses a stale delete with 412 and keeps the todo; a current one deletes it", async () => {
      const t = await create("delete me");
      await call("PATCH", `/api/todos/${t.id}`, { done: true });
      expectError(await call("DELETE", `/api/todos/${t.id}`, undefined, { "If-Match": '"v1"' }), 412, /If-Match/);
      assert.equal((await call("GET", `/api/todos/${t.id}`)).status, 200);
      const del = await call("DELETE", `/api/todos/${t.id}`, undefined, { "If-Match": '"v2"' });
      assert.equal(del.status, 204);
      assert.equal(del.text, "");
      expectError(await call("GET", `/api/todos/${t.id}`), 404, "no such todo");
    });
  });

  describe("delete", () => {
    it("answers 204, then the todo is gone (404 on read, update and a second delete)", async () => {
      const a = await create("a");
      const b = await create("b");
      const r = await call("DELETE", `/api/todos/${a.id}`);
      assert.equal(r.status, 204);
      assert.equal(r.text, "");
      expectError(await call("GET", `/api/todos/${a.id}`), 404, "no such todo");
      expectError(await call("PATCH", `/api/todos/${a.id}`, { done: true }), 404, "no such todo");
      expectError(await call("DELETE", `/api/todos/${a.id}`), 404, "no such todo");
      expectError(await call("DELETE", "/api/todos/0"), 404, "no such todo");
      const list = (await call("GET", "/api/todos")).body as { todos: TodoJson[]; total: number };
      assert.deepEqual(list.todos.map((t) => t.id), [b.id]);
      assert.equal(list.total, 1);
      // Ids are not reused after a delete.
      assert.ok((await create("c")).id > b.id);
    });
  });

  describe("clear completed", () => {
    it("deletes exactly the done todos and reports their ids; a second call deletes nothing", async () => {
      const made: TodoJson[] = [];
      for (const title of ["a", "b", "c", "d", "e"]) made.push(await create(title));
      for (const t of [made[0], made[2], made[3]]) await call("PATCH", `/api/todos/${t.id}`, { done: true });
      const r = await call("POST", "/api/todos/clear-completed");
      assert.equal(r.status, 200);
      const body = r.body as { deleted: number; ids: number[] };
      assert.equal(body.deleted, 3);
      assert.deepEqual([...body.ids].sort((x, y) => x - y), [made[0].id, made[2].id, made[3].id]);
      const list = (await call("GET", "/api/todos")).body as { todos: TodoJson[]; total: number };
      assert.deepEqual(list.todos.map((t) => t.title), ["b", "e"]);
      assert.equal(list.total, 2);
      assert.deepEqual((await call("POST", "/api/todos/clear-completed")).body, { deleted: 0, ids: [] });
    });

    it("works on an empty list", async () => {
      assert.deepEqual((await call("POST", "/api/todos/clear-completed")).body, { deleted: 0, ids: [] });
    });
  });

  describe("other routes", () => {
    it("answers /ws without an upgrade with 426 and Upgrade: websocket", async () => {
      const r = await call("GET", "/ws");
      assert.equal(r.status, 426);
      assert.equal(r.headers.get("upgrade"), "websocket");
    });

    it("renders the page with the todos, HTML-escaped", async () => {
      await create("<script>alert(1)</script>");
      const r = await call("GET", "/");
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
      assert.ok(r.text.includes("&#60;script&#62;alert(1)&#60;/script&#62;"));
      assert.ok(!r.text.includes("<script>alert(1)"));
    });
  });
});
