// HttpError thrown from a plain fetch handler (not only from routes): its status, message and
// headers over TCP, JSON for clients that ask for it; any other throw is still a logged 500.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { HttpError } from "../../src/index.js";
import { withServer } from "../support/server.js";

function app(logged: unknown[], errors: unknown[] = []) {
  return {
    logger: (err: unknown) => logged.push(err),
    error: (err: unknown) => {
      errors.push(err);
      return new Response("from error()", { status: 500 });
    },
    async fetch(request: Request): Promise<Response> {
      const { pathname } = new URL(request.url);
      if (pathname === "/sync") throw new HttpError(404, "no such todo", { "X-Reason": "gone" });
      await Promise.resolve();
      if (pathname === "/async") throw new HttpError(429, "slow down", { "Retry-After": "7" });
      if (pathname === "/bug") throw new Error("a bug");
      return new Response("ok");
    },
  };
}

describe("HttpError from a fetch handler", () => {
  const cases = [
    { path: "/sync", accept: "*/*", status: 404, type: /^text\/plain/, body: "no such todo\n", header: ["x-reason", "gone"] },
    { path: "/async", accept: "*/*", status: 429, type: /^text\/plain/, body: "slow down\n", header: ["retry-after", "7"] },
    { path: "/sync", accept: "application/json", status: 404, type: /^application\/json/, body: '{"error":"no such todo"}', header: ["x-reason", "gone"] },
  ] as const;
  for (const c of cases) {
    it(`${c.path} (Accept: ${c.accept}) answers ${c.status} with its message and headers, unlogged`, async () => {
      const logged: unknown[] = [];
      const errors: unknown[] = [];
      await withServer(app(logged, errors), async (server) => {
        const res = await fetch(new URL(c.path, server.url), { headers: { Accept: c.accept } });
        assert.equal(res.status, c.status);
        assert.match(res.headers.get("content-type") ?? "", c.type);
        assert.equal(res.headers.get(c.header[0]), c.header[1]);
        assert.equal(await res.text(), c.body);
      });
      assert.deepEqual(logged, [], "a deliberate error is not a fault");
      assert.deepEqual(errors, [], "error() is for faults, not for HttpError");
    });
  }

  it("any other throw still goes to error() and the logger", async () => {
    const logged: unknown[] = [];
    const errors: unknown[] = [];
    await withServer(app(logged, errors), async (server) => {
      const res = await fetch(new URL("/bug", server.url));
      assert.equal(res.status, 500);
      assert.equal(await res.text(), "from error()");
    });
    assert.equal(logged.length, 1);
    assert.equal((logged[0] as Error).message, "a bug");
    assert.equal(errors.length, 1);
  });

  it("without error(), any other throw is a plain logged 500", async () => {
    const logged: unknown[] = [];
    const { error: _omit, ...plain } = app(logged);
    await withServer(plain, async (server) => {
      const res = await fetch(new URL("/bug", server.url));
      assert.equal(res.status, 500);
      assert.equal(await res.text(), "Internal Server Error\n");
    });
    assert.equal(logged.length, 1);
  });
});
