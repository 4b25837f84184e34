// SqliteStore: the embedded default. WAL mode with synchronous=FULL, so a write is on disk when
// its call returns; the schema is created and migrated on first start.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Change, ListQuery, Todo, TodoPatch, TodoStore, UpdateResult } from "./store.js";

interface Row {
  id: number;
  title: string;
  done: number;
  sort_order: number;
  version: number;
  created_at: string;
  updated_at: string;
}

const MIGRATIONS = [
  `CREATE TABLE todos (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     title TEXT NOT NULL,
     done INTEGER NOT NULL DEFAULT 0,
     sort_order INTEGER NOT NULL DEFAULT 0,
     version INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   )`,
  `CREATE INDEX todos_done ON todos (done, sort_order, id)`,
];

/** SqliteStore keeps todos in one SQLite file. */
export class SqliteStore implements TodoStore {
  #db: Database.Database;
  #listeners: ((change: Change) => void)[] = [];

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("busy_timeout = 5000");
    this.#migrate();
  }

  #migrate(): void {
    const version = this.#db.pragma("user_version", { simple: true }) as number;
    const apply = this.#db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) this.#db.exec(MIGRATIONS[v]);
      this.#db.pragma(`user_version = ${MIGRATIONS.length}`);
    });
    apply();
  }

  async list(q: ListQuery): Promise<{ todos: Todo[]; total: number }> {
    const where = q.done === undefined ? "" : `WHERE done = ${q.done ? 1 : 0}`;
    const rows = this.#db.prepare(`SELECT * FROM todos ${where} ORDER BY sort_order, id LIMIT ? OFFSET ?`).all(q.limit, q.offset) as Row[];
    const total = (this.#db.prepare(`SELECT count(*) AS n FROM todos ${where}`).get() as { n: number }).n;
    return { todos: rows.map(toTodo), total };
  }

  async get(id: number): Promise<Todo | null> {
    const row = this.#db.prepare("SELECT * FROM todos WHERE id = ?").get(id) as Row | undefined;
    return row === undefined ? null : toTodo(row);
  }

  async create(title: string): Promise<Todo> {
    const now = new Date().toISOString();
    const row = this.#db
      .prepare("INSERT INTO todos (title, sort_order, created_at, updated_at) VALUES (?, (SELECT coalesce(max(sort_order), 0) + 1 FROM todos), ?, ?) RETURNING *")
      .get(title, now, now) as Row;
    return this.#emitUpsert(toTodo(row));
  }

  async update(id: number, patch: TodoPatch, ifVersions?: readonly number[]): Promise<UpdateResult<Todo>> {
    const run = this.#db.transaction((): UpdateResult<Todo> => {
      const row = this.#db.prepare("SELECT * FROM todos WHERE id = ?").get(id) as Row | undefined;
      if (row === undefined) return { ok: false, reason: "missing" };
      if (ifVersions !== undefined && !ifVersions.includes(row.version)) return { ok: false, reason: "stale" };
      const next = this.#db
        .prepare("UPDATE todos SET title = ?, done = ?, sort_order = ?, version = version + 1, updated_at = ? WHERE id = ? RETURNING *")
        .get(patch.title ?? row.title, (patch.done ?? row.done === 1) ? 1 : 0, patch.order ?? row.sort_order, new Date().toISOString(), id) as Row;
      return { ok: true, value: toTodo(next) };
    });
    const result = run.immediate();
    if (result.ok) this.#emitUpsert(result.value);
    return result;
  }

  async remove(id: number, ifVersions?: readonly number[]): Promise<UpdateResult<null>> {
    const run = this.#db.transaction((): UpdateResult<null> => {
      const row = this.#db.prepare("SELECT version FROM todos WHERE id = ?").get(id) as { version: number } | undefined;
      if (row === undefined) return { ok: false, reason: "missing" };
      if (ifVersions !== undefined && !ifVersions.includes(row.version)) return { ok: false, reason: "stale" };
      this.#db.prepare("DELETE FROM todos WHERE id = ?").run(id);
      return { ok: true, value: null };
    });
    const result = run.immediate();
    if (result.ok) this.#emit({ type: "delete", id });
    return result;
  }

  async clearCompleted(): Promise<number[]> {
    const rows = this.#db.prepare("DELETE FROM todos WHERE done = 1 RETURNING id").all() as { id: number }[];
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) this.#emit({ type: "clear", ids });
    return ids;
  }

  onChange(listener: (change: Change) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #emitUpsert(todo: Todo): Todo {
    this.#emit({ type: "upsert", todo });
    return todo;
  }

  #emit(change: Change): void {
    for (const listener of this.#listeners) listener(change);
  }
}

function toTodo(r: Row): Todo {
  return { id: r.id, title: r.title, done: r.done === 1, order: r.sort_order, version: r.version, createdAt: r.created_at, updatedAt: r.updated_at };
}
