// A Hono app run unchanged with serve({ fetch: app.fetch }): routes, params,
// query, JSON both ways, middleware headers, onError and the default 404.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { startServer, type Server } from "../support/server.js";

function buildApp(): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    c.header("x-powered-by", "hono-on-sockserve");
  });
  app.get("/", (c) => c.text("Hono home"));
  app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), fields: c.req.query("fields") ?? null }));
  app.get("/files/*", (c) => c.text(`file ${c.req.path}`));
  app.post("/echo", async (c) => {
    const body = await c.req.json<Record<string, unknown>>();
    return c.json({ received: body, agent: c.req.header("x-agent") ?? null }, 201);
  });
  app.put("/form", async (c) => {
    const form = await c.req.parseBody();
    return c.json(form);
  });
  app.delete("/users/:id", (c) => c.body(null, 204));
  app.get("/redirect", (c) => c.redirect("/users/42"));
  app.get("/boom", () => {
    throw new Error("hono handler failure");
  });
  app.onError((err, c) => c.text(`handled: ${err.message}`, 500));
  return app;
}

describe("Hono app", () => {
  let server: Server;
  let base: string;
  before(async () => {
    const app = buildApp();
    server = await startServer({ fetch: app.fetch });
    base = server.url.href;
  });
  after(async () => {
    await server.stop(true);
  });

  it("serves a text route with middleware headers", async () => {
    const res = await fetch(base);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-powered-by"), "hono-on-sockserve");
    assert.equal(await res.text(), "Hono home");
  });

  it("route params and query", async () => {
    const res = await fetch(new URL("/users/7?fields=name", base));
    assert.deepEqual(await res.json(), { id: "7", fields: "name" });
  });

  it("wildcard routes see the path", async () => {
    const res = await fetch(new URL("/files/a/b.txt", base));
    assert.equal(await res.text(), "file /files/a/b.txt");
  });

  it("POST JSON with a custom status and request header", async () => {
    const res = await fetch(new URL("/echo", base), {
      method: "POST",
      headers: { "content-type": "application/json", "x-agent": "test" },
      body: JSON.stringify({ a: 1, b: ["x"] }),
    });
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { received: { a: 1, b: ["x"] }, agent: "test" });
  });

  it("parseBody reads a urlencoded form", async () => {
    const res = await fetch(new URL("/form", base), { method: "PUT", body: new URLSearchParams({ k: "v", n: "2" }) });
    assert.deepEqual(await res.json(), { k: "v", n: "2" });
  });

  it("204 from c.body(null, 204)", async () => {
    const res = await fetch(new URL("/users/3", base), { method: "DELETE" });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), "");
  });

  it("redirect", async () => {
    const res = await fetch(new URL("/redirect", base), { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/users/42");
  });

  it("unknown routes get Hono's 404", async () => {
    const res = await fetch(new URL("/does/not/exist", base));
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "404 Not Found");
  });

  it("Hono's onError shapes handler errors", async () => {
    const res = await fetch(new URL("/boom", base));
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "handled: hono handler failure");
  });

  it("HEAD on a GET route", async () => {
    // Hono answers HEAD with new Response(null, getResponse): the body length is unknown here, so
    // RFC 9110 §8.6 allows no Content-Length or the GET's length ("Hono home" = 9), never 0.
    const res = await fetch(base, { method: "HEAD" });
    assert.equal(res.status, 200);
    const length = res.headers.get("content-length");
    assert.ok(length === null || length === "9", `HEAD Content-Length ${length} differs from GET's 9`);
    assert.equal(await res.text(), "");
  });
});
