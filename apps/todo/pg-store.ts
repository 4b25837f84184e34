// PgStore: PostgreSQL, for several sockserve machines sharing one database. Every change is
// announced with NOTIFY, and each instance LISTENs, so live updates cross machines with no broker.
import pg from "pg";
import type { Change, ListQuery, Todo, TodoPatch, TodoStore, UpdateResult } from "./store.js";

const CHANNEL = "todo_changes";
const CLEAR_BATCH = 500; // ids per notification: well under NOTIFY's 8000-byte payload limit

const MIGRATIONS = [
  `CREATE TABLE IF NOT EXISTS todos (
     id BIGSERIAL PRIMARY KEY,
     title TEXT NOT NULL,
     done BOOLEAN NOT NULL DEFAULT false,
     sort_order INTEGER NOT NULL DEFAULT 0,
     version INTEGER NOT NULL DEFAULT 1,
     created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
     updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS todos_done ON todos (done, sort_order, id)`,
];

interface Row {
  id: string;
  title: string;
  done: boolean;
  sort_order: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** PgStore keeps todos in PostgreSQL (DATABASE_URL). */
export class PgStore implements TodoStore {
  #pool: pg.Pool;
  #listenClient: pg.Client | null = null;
  #listeners: ((change: Change) => void)[] = [];

  private constructor(url: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 10 });
  }

  /** open connects, migrates (under an advisory lock, so instances can start together) and listens. */
  static async open(url: string): Promise<PgStore> {
    const store = new PgStore(url);
    const client = await store.#pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(7342001)");
      for (const sql of MIGRATIONS) await client.query(sql);
      await client.query("SELECT pg_advisory_unlock(7342001)");
    } finally {
      client.release();
    }
    const listen = new pg.Client({ connectionString: url });
    await listen.connect();
    listen.on("notification", (msg) => {
      if (msg.channel !== CHANNEL || msg.payload === undefined) return;
      const change = JSON.parse(msg.payload) as Change;
      for (const listener of store.#listeners) listener(change);
    });
    await listen.query(`LISTEN ${CHANNEL}`);
    store.#listenClient = listen;
    return store;
  }

  async list(q: ListQuery): Promise<{ todos: Todo[]; total: number }> {
    const filter = q.done === undefined ? "" : "WHERE done = $3";
    const params: unknown[] = [q.limit, q.offset];
    if (q.done !== undefined) params.push(q.done);
    const rows = await this.#pool.query<Row>(`SELECT * FROM todos ${filter} ORDER BY sort_order, id LIMIT $1 OFFSET $2`, params);
    const count = await this.#pool.query<{ n: string }>(`SELECT count(*) AS n FROM todos ${q.done === undefined ? "" : "WHERE done = $1"}`, q.done === undefined ? [] : [q.done]);
    return { todos: rows.rows.map(toTodo), total: Number(count.rows[0].n) };
  }

  async get(id: number): Promise<Todo | null> {
    const r = await this.#pool.query<Row>("SELECT * FROM todos WHERE id = $1", [id]);
    return r.rows.length === 0 ? null : toTodo(r.rows[0]);
  }

  async create(title: string): Promise<Todo> {
    return this.#transaction(async (client) => {
      const r = await client.query<Row>(
        "INSERT INTO todos (title, sort_order) VALUES ($1, (SELECT coalesce(max(sort_order), 0) + 1 FROM todos)) RETURNING *",
        [title],
      );
      const todo = toTodo(r.rows[0]);
      await notify(client, { type: "upsert", todo });
      return todo;
    });
  }

  async update(id: number, patch: TodoPatch, ifVersions?: readonly number[]): Promise<UpdateResult<Todo>> {
    const result = await this.#transaction(async (client): Promise<Todo | null> => {
      const r = await client.query<Row>(
        `UPDATE todos SET title = coalesce($2, title), done = coalesce($3, done), sort_order = coalesce($4, sort_order),
           version = version + 1, updated_at = now()
         WHERE id = $1 AND ($5::int[] IS NULL OR version = ANY($5)) RETURNING *`,
        [id, patch.title ?? null, patch.done ?? null, patch.order ?? null, ifVersions ?? null],
      );
      if (r.rows.length === 0) return null;
      const todo = toTodo(r.rows[0]);
      await notify(client, { type: "upsert", todo });
      return todo;
    });
    if (result === null) return { ok: false, reason: (await this.get(id)) === null ? "missing" : "stale" };
    return { ok: true, value: result };
  }

  async remove(id: number, ifVersions?: readonly number[]): Promise<UpdateResult<null>> {
    const removed = await this.#transaction(async (client) => {
      const r = await client.query("DELETE FROM todos WHERE id = $1 AND ($2::int[] IS NULL OR version = ANY($2))", [id, ifVersions ?? null]);
      if (r.rowCount === 0) return false;
      await notify(client, { type: "delete", id });
      return true;
    });
    if (!removed) return { ok: false, reason: (await this.get(id)) === null ? "missing" : "stale" };
    return { ok: true, value: null };
  }

  async clearCompleted(): Promise<number[]> {
    return this.#transaction(async (client) => {
      const r = await client.query<{ id: string }>("DELETE FROM todos WHERE done RETURNING id");
      const ids = r.rows.map((row) => Number(row.id));
      // NOTIFY payloads are limited to 8000 bytes: announce long lists in parts.
      for (let i = 0; i < ids.length; i += CLEAR_BATCH) await notify(client, { type: "clear", ids: ids.slice(i, i + CLEAR_BATCH) });
      return ids;
    });
  }

  /**
   * #transaction runs a write and its NOTIFY in one transaction on one connection, so
   * notifications are sent only on commit, and in commit order (which the row locks make the
   * order of versions).
   */
  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  onChange(listener: (change: Change) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    await this.#listenClient?.end();
    await this.#pool.end();
  }

}

/** notify announces a change to every instance, this one included (it hears its own NOTIFY). */
async function notify(client: pg.PoolClient, change: Change): Promise<void> {
  await client.query("SELECT pg_notify($1, $2)", [CHANNEL, JSON.stringify(change)]);
}

function toTodo(r: Row): Todo {
  return {
    id: Number(r.id),
    title: r.title,
    done: r.done,
    order: r.sort_order,
    version: r.version,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
