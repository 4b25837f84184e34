// The Todo app as sockserve routes: the page, the form endpoints (no JavaScript needed), the
// JSON API, static assets, and a WebSocket that carries every change to every open tab.
import { fileURLToPath } from "node:url";
import { HttpError, serveStatic, type Routes, type Server, type WebSocketHandler } from "sockserve";
import { createApi } from "./api.js";
import { renderPage } from "./page.js";
import type { TodoStore } from "./store.js";
import { checkId, checkTitle } from "./validate.js";

/** TOPIC is the pub/sub topic every page subscribes to. */
export const TOPIC = "todos";

// The same path from apps/todo/ (sources, under tsx) and from build/todo/ (compiled).
const ASSETS = fileURLToPath(new URL("../../apps/todo/public/", import.meta.url));

/** TodoApp is what serve() needs, plus attach() to connect store changes to the server's topic. */
export interface TodoApp {
  routes: Routes<Server>;
  websocket: WebSocketHandler<undefined>;
  fetch(request: Request, server: Server): Response | undefined;
  attach(server: Server): void;
}

/** createTodoApp builds the app over a store; `assets` overrides the folder of public files. */
export function createTodoApp(store: TodoStore, assets = ASSETS): TodoApp {
  const api = createApi(store);
  const files = serveStatic({ root: assets, cacheMaxAge: 3600, listing: false });
  const page = async (req: Request): Promise<Response> => {
    const { todos } = await store.list({ limit: 500, offset: 0 });
    const error = new URL(req.url).searchParams.get("error") ?? "";
    return new Response(renderPage(todos, error.slice(0, 200)), { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
  };
  const back = (error?: string): Response =>
    new Response(null, { status: 303, headers: { Location: error === undefined ? "/" : `/?error=${encodeURIComponent(error)}` } });
  const form = (action: (req: Request & { params: Record<string, string> }) => Promise<unknown>) => async (req: Request & { params: Record<string, string> }) => {
    try {
      await action(req);
      return back();
    } catch (err) {
      if (err instanceof HttpError) return back(err.message);
      throw err;
    }
  };
  return {
    routes: {
      "/": { GET: page },
      "/todos": { POST: form(async (req) => store.create(checkTitle(new URLSearchParams(await req.text()).get("title") ?? ""))) },
      "/todos/clear-completed": { POST: form(() => store.clearCompleted()) },
      "/todos/:id/toggle": {
        POST: form(async (req) => {
          const todo = await store.get(checkId(req.params.id));
          if (todo === null) throw new HttpError(404, "no such todo");
          await store.update(todo.id, { done: !todo.done });
        }),
      },
      "/todos/:id/delete": {
        POST: form(async (req) => {
          const result = await store.remove(checkId(req.params.id));
          if (!result.ok) throw new HttpError(404, "no such todo");
        }),
      },
      "/api/todos": { GET: jsonErrors(api.list), POST: jsonErrors(api.create) },
      "/api/todos/clear-completed": { POST: jsonErrors(api.clearCompleted) },
      "/api/todos/:id": { GET: jsonErrors(api.read), PATCH: jsonErrors(api.update), DELETE: jsonErrors(api.remove) },
      "/assets/*": (req) => files(new Request(new URL(`/${req.params["*"] ?? ""}`, req.url), { headers: req.headers })),
    },
    websocket: {
      open(ws) {
        ws.subscribe(TOPIC);
      },
      message() {
        // The page only listens; changes go through the API.
      },
      perMessageDeflate: true,
    },
    fetch(req, server) {
      if (new URL(req.url).pathname === "/ws") {
        if (server.upgrade(req)) return undefined;
        return new Response("Expected a WebSocket\n", { status: 426, headers: { Upgrade: "websocket" } });
      }
      return Response.json({ error: "not found" }, { status: 404 });
    },
    attach(server) {
      store.onChange((change) => server.publish(TOPIC, JSON.stringify(change)));
    },
  };
}

/** jsonErrors answers an API handler's HttpError as `{ "error": message }` JSON, whatever the client accepts. */
function jsonErrors<R extends Request>(handler: (req: R) => Promise<Response>): (req: R) => Promise<Response> {
  return async (req) => {
    try {
      return await handler(req);
    } catch (err) {
      if (err instanceof HttpError) return Response.json({ error: err.message }, { status: err.status });
      throw err;
    }
  };
}
