// The Todo app over real TCP with Node's fetch: the main API flows, the form flows that work
// without JavaScript (POST urlencoded -> 303 -> the page shows the todo, HTML-escaped), and the
// static assets with Cache-Control max-age and ETag.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { serve, type Server } from "sockserve";
import { createTodoApp } from "../../apps/todo/app.js";
import { SqliteStore } from "../../apps/todo/sqlite-store.js";
import { api, REPO, tempDir, type TempDir } from "../support/todo-child.js";
import type { TodoJson } from "../support/todo-ws.js";

describe("Todo app over TCP", () => {
  let dir: TempDir;
  let store: SqliteStore;
  let server: Server;
  let base: string;

  before(async () => {
    dir = await tempDir();
    store = new SqliteStore(path.join(dir.dir, "db", "todo.db"));
    const app = createTodoApp(store);
    server = await serve({ port: 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket });
    app.attach(server);
    base = server.url.href;
  });
  after(async () => {
    await server?.stop(true);
    await store?.close();
    await dir?.remove();
  });

  /** form posts urlencoded fields without following the redirect. */
  async function form(target: string, fields: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(new URL(target, base), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      redirect: "manual",
    });
    await res.arrayBuffer();
    return res;
  }

  async function page(target = "/"): Promise<string> {
    const res = await fetch(new URL(target, base));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("cache-control"), "no-store");
    return res.text();
  }

  /** idOf finds a todo's id by its title through the API. */
  async function idOf(title: string): Promise<number> {
    const { todos } = (await api(base, "GET", "/api/todos?limit=500")).body as { todos: TodoJson[] };
    const found = todos.find((t) => t.title === title);
    assert.ok(found, `no todo titled ${JSON.stringify(title)}`);
    return found.id;
  }

  /** itemOf returns the <li> for todo `id` in the page, or null. */
  function itemOf(html: string, id: number): string | null {
    const m = new RegExp(`<li class="todo( done)?" data-id="${id}"[\\s\\S]*?</li>`).exec(html);
    return m === null ? null : m[0];
  }

  describe("API", () => {
    it("creates, lists, reads (304 with If-None-Match), updates with If-Match (412 when stale) and deletes", async () => {
      const created = await api(base, "POST", "/api/todos", { title: "over tcp" });
      assert.equal(created.status, 201);
      const todo = created.body as TodoJson;
      assert.equal(created.headers.get("location"), `/api/todos/${todo.id}`);
      assert.equal(created.headers.get("etag"), '"v1"');
      assert.equal(todo.title, "over tcp");

      const list = await api(base, "GET", "/api/todos?done=false&limit=10");
      assert.equal(list.status, 200);
      assert.ok((list.body as { todos: TodoJson[] }).todos.some((t) => t.id === todo.id));

      const read = await api(base, "GET", `/api/todos/${todo.id}`);
      assert.deepEqual(read.body, todo);
      const notModified = await fetch(new URL(`/api/todos/${todo.id}`, base), { headers: { "If-None-Match": '"v1"' } });
      assert.equal(notModified.status, 304);
      assert.equal(await notModified.text(), "");

      const updated = await api(base, "PATCH", `/api/todos/${todo.id}`, { done: true, title: "over tcp, done" }, { "If-Match": '"v1"' });
      assert.equal(updated.status, 200);
      assert.equal(updated.headers.get("etag"), '"v2"');
      assert.equal((updated.body as TodoJson).done, true);

      const stale = await api(base, "PATCH", `/api/todos/${todo.id}`, { title: "lost" }, { "If-Match": '"v1"' });
      assert.equal(stale.status, 412);
      assert.deepEqual(stale.body, { error: "the todo changed since you read it (If-Match)" });
      const staleDelete = await api(base, "DELETE", `/api/todos/${todo.id}`, undefined, { "If-Match": '"v1"' });
      assert.equal(staleDelete.status, 412);
      assert.equal(((await api(base, "GET", `/api/todos/${todo.id}`)).body as TodoJson).title, "over tcp, done");

      const deleted = await api(base, "DELETE", `/api/todos/${todo.id}`, undefined, { "If-Match": '"v2"' });
      assert.equal(deleted.status, 204);
      const gone = await api(base, "GET", `/api/todos/${todo.id}`);
      assert.equal(gone.status, 404);
      assert.deepEqual(gone.body, { error: "no such todo" });
    });

    it("answers validation errors over the wire as JSON: 400, 415, 422", async () => {
      const bad = await fetch(new URL("/api/todos", base), { method: "POST", headers: { "Content-Type": "application/json" }, body: "{" });
      assert.equal(bad.status, 400);
      assert.match(bad.headers.get("content-type")!, /^application\/json/);
      assert.deepEqual(await bad.json(), { error: "the body is not valid JSON" });
      const plain = await fetch(new URL("/api/todos", base), { method: "POST", headers: { "Content-Type": "text/plain" }, body: '{"title":"x"}' });
      assert.equal(plain.status, 415);
      assert.deepEqual(await plain.json(), { error: "send the body as application/json" });
      const long = await api(base, "POST", "/api/todos", { title: "z".repeat(201) });
      assert.equal(long.status, 422);
      assert.deepEqual(long.body, { error: "title must be at most 200 characters" });
      const extra = await api(base, "POST", "/api/todos", { title: "x", owner: "me" });
      assert.equal(extra.status, 422);
      assert.deepEqual(extra.body, { error: "unknown field: owner" });
    });

    it("clears completed todos", async () => {
      const a = (await api(base, "POST", "/api/todos", { title: "clear a" })).body as TodoJson;
      const b = (await api(base, "POST", "/api/todos", { title: "clear b" })).body as TodoJson;
      await api(base, "PATCH", `/api/todos/${a.id}`, { done: true });
      const r = await api(base, "POST", "/api/todos/clear-completed");
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { deleted: 1, ids: [a.id] });
      assert.equal((await api(base, "GET", `/api/todos/${a.id}`)).status, 404);
      assert.equal((await api(base, "GET", `/api/todos/${b.id}`)).status, 200);
      await api(base, "DELETE", `/api/todos/${b.id}`);
    });

    it("serves many requests on one keep-alive connection and in parallel", async () => {
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => api(base, "POST", "/api/todos", { title: `parallel ${i}` })));
      assert.ok(results.every((r) => r.status === 201));
      const ids = new Set(results.map((r) => (r.body as TodoJson).id));
      assert.equal(ids.size, 30, "every create got its own id");
      for (const id of ids) assert.equal((await api(base, "DELETE", `/api/todos/${id}`)).status, 204);
    });
  });

  describe("forms without JavaScript", () => {
    it("adds a todo: POST /todos answers 303 to /, and the page shows it with toggle and delete forms", async () => {
      const res = await form("/todos", { title: "  walk the dog  " });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/");
      const id = await idOf("walk the dog");
      const li = itemOf(await page(), id)!;
      assert.ok(li.startsWith(`<li class="todo" data-id="${id}" data-version="1">`), li);
      assert.ok(li.includes('<span class="title">walk the dog</span>'), "the page lists the new todo, trimmed");
      assert.ok(li.includes(`action="/todos/${id}/toggle"`));
      assert.ok(li.includes(`action="/todos/${id}/delete"`));
      assert.ok(li.includes('aria-label="Mark as done: walk the dog"'));

      // A real redirect-following client lands on the page.
      const followed = await fetch(new URL("/todos", base), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "title=followed" });
      assert.equal(followed.status, 200);
      assert.equal(new URL(followed.url).pathname, "/");
      assert.ok((await followed.text()).includes('<span class="title">followed</span>'));
    });

    it("shows a title with <script> (and quotes, ampersands) escaped, in the text and in attributes", async () => {
      const title = `<script>alert("x")</script> & 'quotes'`;
      assert.equal((await form("/todos", { title })).status, 303);
      const html = await page();
      const escaped = "&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#39;quotes&#39;";
      assert.ok(html.includes(`<span class="title">${escaped}</span>`), "the title is escaped in the list");
      assert.ok(html.includes(`aria-label="Delete: ${escaped}"`), "the title is escaped inside attributes");
      assert.ok(!html.includes("<script>alert"), "no raw script tag from the title");
      // The API still returns the title as typed.
      const list = (await api(base, "GET", "/api/todos?limit=500")).body as { todos: TodoJson[] };
      assert.ok(list.todos.some((t) => t.title === title));
    });

    it("toggles a todo done and back (303 each time), and the page marks it", async () => {
      assert.equal((await form("/todos", { title: "toggle me" })).status, 303);
      const id = await idOf("toggle me");
      const res = await form(`/todos/${id}/toggle`);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/");
      let li = itemOf(await page(), id)!;
      assert.ok(li.startsWith('<li class="todo done"'), li);
      assert.ok(li.includes('aria-pressed="true"'));
      assert.ok(li.includes("Mark as not done: toggle me"));
      assert.equal(((await api(base, "GET", `/api/todos/${id}`)).body as TodoJson).done, true);
      await form(`/todos/${id}/toggle`);
      li = itemOf(await page(), id)!;
      assert.ok(li.startsWith('<li class="todo"'), li);
      assert.ok(li.includes('aria-pressed="false"'));
    });

    it("deletes a todo and clears completed ones, showing the counts in the footer", async () => {
      // Start from an empty list so the footer counts are exact.
      for (const t of ((await api(base, "GET", "/api/todos?limit=500")).body as { todos: TodoJson[] }).todos) await api(base, "DELETE", `/api/todos/${t.id}`);
      for (const title of ["one", "two", "three"]) await form("/todos", { title });
      const todos = ((await api(base, "GET", "/api/todos")).body as { todos: TodoJson[] }).todos;
      assert.deepEqual(todos.map((t) => t.title), ["one", "two", "three"]);
      let html = await page();
      assert.ok(html.includes('<span id="count">3 left</span>'));
      assert.ok(html.includes('id="clear" disabled>Clear completed (0)'));

      assert.equal((await form(`/todos/${todos[0].id}/delete`)).status, 303);
      await form(`/todos/${todos[1].id}/toggle`);
      html = await page();
      assert.equal(itemOf(html, todos[0].id), null, "the deleted todo is gone");
      assert.ok(html.includes('<span id="count">1 left</span>'));
      assert.ok(html.includes('id="clear">Clear completed (1)'));

      const res = await form("/todos/clear-completed");
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/");
      html = await page();
      assert.equal(itemOf(html, todos[1].id), null, "the completed todo is cleared");
      assert.ok(itemOf(html, todos[2].id) !== null, "the open todo stays");
    });

    it("redirects errors to /?error=..., and the page shows the message escaped", async () => {
      const empty = await form("/todos", { title: "   " });
      assert.equal(empty.status, 303);
      assert.equal(empty.headers.get("location"), `/?error=${encodeURIComponent("title must not be empty")}`);
      assert.ok((await page(empty.headers.get("location")!)).includes('<p class="error" role="alert">title must not be empty</p>'));

      const long = await form("/todos", { title: "q".repeat(201) });
      assert.equal(long.headers.get("location"), `/?error=${encodeURIComponent("title must be at most 200 characters")}`);
      const missing = await form("/todos");
      assert.equal(missing.status, 303);
      assert.equal(missing.headers.get("location"), `/?error=${encodeURIComponent("title must not be empty")}`);

      const toggleMissing = await form("/todos/987654/toggle");
      assert.equal(toggleMissing.status, 303);
      assert.equal(toggleMissing.headers.get("location"), `/?error=${encodeURIComponent("no such todo")}`);
      const toggleBadId = await form("/todos/abc/toggle");
      assert.equal(toggleBadId.headers.get("location"), `/?error=${encodeURIComponent("no such todo")}`);

      const html = await page(`/?error=${encodeURIComponent("<img src=x onerror=alert(1)>")}`);
      assert.ok(html.includes('<p class="error" role="alert">&#60;img src=x onerror=alert(1)&#62;</p>'));
      assert.ok(!html.includes("<img"));
      assert.ok(!(await page("/")).includes('class="error"'), "no error paragraph without ?error");
    });

    it("answers a GET on a form endpoint with 405", async () => {
      const res = await fetch(new URL("/todos", base));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), "OPTIONS, POST");
    });
  });

  describe("static assets", () => {
    for (const [file, type] of [
      ["app.js", /^(text|application)\/javascript/],
      ["style.css", /^text\/css/],
    ] as const) {
      it(`serves /assets/${file} with its bytes, Cache-Control max-age, an ETag, and 304 on revalidation`, async () => {
        const res = await fetch(new URL(`/assets/${file}`, base), { headers: { "Accept-Encoding": "identity" } });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, type);
        assert.match(res.headers.get("cache-control")!, /\bmax-age=3600\b/);
        const etag = res.headers.get("etag");
        assert.ok(etag !== null && /^(W\/)?"[^"]+"$/.test(etag), `ETag: ${etag}`);
        const body = Buffer.from(await res.arrayBuffer());
        assert.deepEqual(body, await readFile(path.join(REPO, "apps/todo/public", file)));

        // Revalidation with the same Accept-Encoding (the ETag names the selected representation).
        const again = await fetch(new URL(`/assets/${file}`, base), { headers: { "Accept-Encoding": "identity", "If-None-Match": etag } });
        assert.equal(again.status, 304);
        assert.equal(again.headers.get("etag"), etag);
        assert.equal(await again.text(), "");

        // A browser asking for gzip gets the same bytes compressed, its own ETag, and 304 on revalidation too.
        const zipped = await fetch(new URL(`/assets/${file}`, base), { headers: { "Accept-Encoding": "gzip" } });
        assert.equal(zipped.status, 200);
        assert.match(zipped.headers.get("cache-control")!, /\bmax-age=3600\b/);
        assert.match(zipped.headers.get("vary") ?? "", /accept-encoding/i);
        const zippedTag = zipped.headers.get("etag");
        assert.ok(zippedTag !== null);
        assert.deepEqual(Buffer.from(await zipped.arrayBuffer()), body, "fetch decodes the gzip body back to the file");
        const zippedAgain = await fetch(new URL(`/assets/${file}`, base), { headers: { "Accept-Encoding": "gzip", "If-None-Match": zippedTag } });
        assert.equal(zippedAgain.status, 304);
        await zippedAgain.arrayBuffer();
      });
    }

    it("answers a missing asset with 404 and does not list the folder", async () => {
      assert.equal((await fetch(new URL("/assets/nope.js", base))).status, 404);
      const folder = await fetch(new URL("/assets/", base));
      assert.ok(folder.status === 404 || folder.status === 403, `GET /assets/ answered ${folder.status}`);
      assert.ok(!(await folder.text()).includes("app.js"));
    });

    for (const target of ["/assets/../app.ts", "/assets/%2e%2e/app.ts", "/assets/..%2fapp.ts", "/assets/%2e%2e/%2e%2e/package.json", "/assets/..%5c..%5cpackage.json"]) {
      it(`does not serve files outside public/ for ${target}`, async () => {
        const head = await rawGet(server.port, target);
        assert.ok(!/^HTTP\/1\.1 200/.test(head.status), `${target} answered ${head.status}`);
        assert.ok(!head.body.includes("createTodoApp") && !head.body.includes('"name": "sockserve"'), `${target} leaked a file`);
      });
    }
  });

  it("answers /ws without an upgrade with 426", async () => {
    const res = await fetch(new URL("/ws", base));
    assert.equal(res.status, 426);
    assert.equal(res.headers.get("upgrade"), "websocket");
  });
});

/** rawGet sends a request target exactly as given (fetch would normalize dot segments). */
function rawGet(port: number, target: string): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer for ${target}: ${JSON.stringify(data)}`));
    }, 5000);
    socket.setEncoding("latin1");
    socket.on("data", (s: string) => (data += s));
    socket.on("error", reject);
    socket.on("end", () => {
      clearTimeout(timer);
      const [head = "", body = ""] = data.split("\r\n\r\n", 2);
      resolve({ status: head.split("\r\n")[0] ?? "", body });
    });
    socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}
