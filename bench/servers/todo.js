// The Todo app for benchmarks: a fresh SQLite file (argv[2]) seeded with 100 todos.
// Run after `npm run build && npm run build:app`.
import { serve } from "../../dist/index.js";
import { createTodoApp } from "../../build/todo/app.js";
import { SqliteStore } from "../../build/todo/sqlite-store.js";

const store = new SqliteStore(process.argv[2] ?? ":memory:");
const { total } = await store.list({ limit: 1, offset: 0 });
for (let i = total; i < 100; i++) await store.create(`todo number ${i + 1}`);
const app = createTodoApp(store);
const server = await serve({ port: Number(process.env.PORT) || 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket, logger: () => {} });
app.attach(server);
console.log(`PORT ${server.port}`);
