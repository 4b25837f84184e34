// `npm start`: the Todo app on http://127.0.0.1:8000 (PORT or --port), with SQLite in
// ./data/todo.db (TODO_DB), or PostgreSQL when DATABASE_URL is set; HTTPS (and HTTP/2) with
// --tls-cert and --tls-key.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { serve, type TlsOptions } from "sockserve";
import { createTodoApp } from "./app.js";
import { PgStore } from "./pg-store.js";
import { SqliteStore } from "./sqlite-store.js";
import type { TodoStore } from "./store.js";

async function openStore(): Promise<TodoStore> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== "") return PgStore.open(url);
  return new SqliteStore(process.env.TODO_DB ?? "data/todo.db");
}

/** readTls reads the PEM certificate and key named by --tls-cert and --tls-key; neither means plain HTTP. */
function readTls(certFile: string | undefined, keyFile: string | undefined): TlsOptions | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new Error("--tls-cert and --tls-key go together");
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: "string", short: "p" }, host: { type: "string", short: "H" }, "tls-cert": { type: "string" }, "tls-key": { type: "string" } },
  });
  const tls = readTls(values["tls-cert"], values["tls-key"]);
  const port = Number(values.port ?? process.env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${values.port ?? process.env.PORT}`);
  const store = await openStore();
  const app = createTodoApp(store);
  const server = await serve({ port, hostname: values.host || process.env.HOST || "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket, ...(tls === undefined ? {} : { tls }) });
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
