// RouteTable as a table: which pattern wins for which path, and the parameters it yields.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RouteTable } from "../../src/router/route-table.js";

const patterns = [
  "/",
  "/api/todos",
  "/api/todos/:id",
  "/api/todos/special",
  "/api/todos/:id/items/:item",
  "/api/:kind/latest",
  "/assets/*",
  "/assets/img/*",
  "/users/:id",
];

function table(): RouteTable<unknown> {
  const t = new RouteTable<unknown>();
  for (const p of patterns) t.add(p, { GET: () => new Response(p) });
  return t;
}

describe("RouteTable.match", () => {
  const rows: [string, string | null, Record<string, string>][] = [
    ["/", "/", {}],
    ["/api/todos", "/api/todos", {}],
    ["/api/todos/7", "/api/todos/:id", { id: "7" }],
    ["/api/todos/special", "/api/todos/special", {}], // exact beats :param
    ["/api/todos/h%C3%A9", "/api/todos/:id", { id: "hé" }],
    ["/api/todos/%E0%A4", "/api/todos/:id", { id: "%E0%A4" }], // undecodable stays raw
    ["/api/todos/3/items/9", "/api/todos/:id/items/:item", { id: "3", item: "9" }],
    ["/api/todos/latest", "/api/todos/:id", { id: "latest" }], // static segment first, then backtrack
    ["/api/users/latest", "/api/:kind/latest", { kind: "users" }],
    ["/api/todos/", null, {}], // an empty parameter matches nothing
    ["/assets/app.js", "/assets/*", { "*": "app.js" }],
    ["/assets/img/logo.png", "/assets/img/*", { "*": "logo.png" }], // longest prefix wins
    ["/assets/a/b/c.css", "/assets/*", { "*": "a/b/c.css" }],
    ["/assets", "/assets/*", { "*": "" }],
    ["/users/42", "/users/:id", { id: "42" }],
    ["/users/42/extra", null, {}],
    ["/nothing", null, {}],
  ];
  const t = table();
  for (const [path, pattern, params] of rows) {
    it(`${path} → ${pattern ?? "no route"}`, () => {
      const m = t.match(path);
      if (pattern === null) return assert.equal(m, null);
      assert.equal(m?.pattern, pattern);
      assert.deepEqual(m?.params, params);
    });
  }
  it("rejects bad patterns", () => {
    const t2 = new RouteTable<unknown>();
    assert.throws(() => t2.add("no-slash", {}), TypeError);
    assert.throws(() => t2.add("/a/:x/:x", {}), TypeError);
    t2.add("/b/:id", {});
    assert.throws(() => t2.add("/b/:other", {}), TypeError);
  });
});
