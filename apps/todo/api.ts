// The JSON API: list, create, read, update, delete and clear completed todos, with ETag and
// If-Match for optimistic concurrency.
import { HttpError } from "sockserve";
import type { Todo, TodoStore } from "./store.js";
import { checkCreate, checkId, checkPatch, matchesNoneMatch, parseIfMatch, readJson } from "./validate.js";

type Req = Request & { params: Record<string, string> };

/** etagOf is a todo's entity tag: its version. */
export const etagOf = (todo: Todo): string => `"v${todo.version}"`;

function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(value, { status, headers: { "Cache-Control": "no-store", ...headers } });
}

/** createApi returns the route handlers of the API over a store. */
export function createApi(store: TodoStore) {
  return {
    async list(req: Request): Promise<Response> {
      const q = new URL(req.url).searchParams;
      const done = q.get("done");
      if (done !== null && done !== "true" && done !== "false") throw new HttpError(400, "done must be true or false");
      const limit = intParam(q.get("limit"), 100, 1, 500, "limit");
      const offset = intParam(q.get("offset"), 0, 0, 1e9, "offset");
      const { todos, total } = await store.list({ ...(done !== null ? { done: done === "true" } : {}), limit, offset });
      return json({ todos, total, limit, offset });
    },

    async create(req: Request): Promise<Response> {
      const title = checkCreate(await readJson(req));
      const todo = await store.create(title);
      return json(todo, 201, { Location: `/api/todos/${todo.id}`, ETag: etagOf(todo) });
    },

    async read(req: Req): Promise<Response> {
      const todo = await store.get(checkId(req.params.id));
      if (todo === null) throw new HttpError(404, "no such todo");
      if (matchesNoneMatch(req.headers.get("if-none-match"), etagOf(todo))) return new Response(null, { status: 304, headers: { ETag: etagOf(todo) } });
      return json(todo, 200, { ETag: etagOf(todo) });
    },

    async update(req: Req): Promise<Response> {
      const id = checkId(req.params.id);
      const patch = checkPatch(await readJson(req));
      const result = await store.update(id, patch, parseIfMatch(req.headers.get("if-match")));
      if (!result.ok) throw result.reason === "missing" ? new HttpError(404, "no such todo") : new HttpError(412, "the todo changed since you read it (If-Match)");
      return json(result.value, 200, { ETag: etagOf(result.value) });
    },

    async remove(req: Req): Promise<Response> {
      const result = await store.remove(checkId(req.params.id), parseIfMatch(req.headers.get("if-match")));
      if (!result.ok) throw result.reason === "missing" ? new HttpError(404, "no such todo") : new HttpError(412, "the todo changed since you read it (If-Match)");
      return new Response(null, { status: 204 });
    },

    async clearCompleted(): Promise<Response> {
      const ids = await store.clearCompleted();
      return json({ deleted: ids.length, ids });
    },
  };
}

function intParam(value: string | null, fallback: number, min: number, max: number, name: string): number {
  if (value === null) return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) throw new HttpError(400, `${name} must be a whole number from ${min} to ${max}`);
  return Number(value);
}
