// `npm start`: the Todo app on http://127.0.0.1:8000 (PORT or --port), with SQLite in
// ./data/todo.db (TODO_DB), or PostgreSQL when DATABASE_URL is set.
import { parseArgs } from "node:util";
import { serve } from "sockserve";
import { createTodoApp } from "./app.js";
import { PgStore } from "./pg-store.js";
import { SqliteStore } from "./sqlite-store.js";
import type { TodoStore } from "./store.js";

async function openStore(): Promise<TodoStore> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== "") return PgStore.open(url);
  return new SqliteStore(process.env.TODO_DB ?? "data/todo.db");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: "string", short: "p" }, host: { type: "string", short: "H" } } });
  const port = Number(values.port ?? process.env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${values.port ?? process.env.PORT}`);
  const store = await openStore();
  const app = createTodoApp(store);
  const server = await serve({ port, hostname: values.host || process.env.HOST || "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket });
  app.attach(server);
  console.log(`Todo app listening on ${server.url}`);
  const stop = (): void => {
    void server.stop().then(() => store.close()).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`todo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
