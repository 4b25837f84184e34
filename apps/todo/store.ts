// The Todo storage interface: SQLite embedded by default, PostgreSQL when several servers share data.

/** Todo is one item. `version` grows with every change and makes the ETag. */
export interface Todo {
  id: number;
  title: string;
  done: boolean;
  order: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** TodoPatch is an update; absent fields stay as they are. */
export interface TodoPatch {
  title?: string;
  done?: boolean;
  order?: number;
}

/** ListQuery filters and pages the list. */
export interface ListQuery {
  done?: boolean;
  limit: number;
  offset: number;
}

/** Change is what the store tells listeners after a write (also across machines, with PostgreSQL). */
export type Change =
  | { type: "upsert"; todo: Todo }
  | { type: "delete"; id: number }
  | { type: "clear"; ids: number[] };

/** UpdateResult says what an update or delete found. */
export type UpdateResult<T> = { ok: true; value: T } | { ok: false; reason: "missing" | "stale" };

/** TodoStore is implemented by SqliteStore and PgStore. Every write is durable when its promise resolves. */
export interface TodoStore {
  list(query: ListQuery): Promise<{ todos: Todo[]; total: number }>;
  get(id: number): Promise<Todo | null>;
  create(title: string): Promise<Todo>;
  /** update applies a patch; with `ifVersions` (from If-Match), only when the stored version is one of them. */
  update(id: number, patch: TodoPatch, ifVersions?: readonly number[]): Promise<UpdateResult<Todo>>;
  remove(id: number, ifVersions?: readonly number[]): Promise<UpdateResult<null>>;
  clearCompleted(): Promise<number[]>;
  /** onChange registers a listener for changes made by this process or, with PostgreSQL, any other. */
  onChange(listener: (change: Change) => void): void;
  close(): Promise<void>;
}
