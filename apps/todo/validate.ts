// Input checks for the Todo API: clear JSON errors for bad bodies, types and unknown fields.
import { HttpError } from "sockserve";
import type { TodoPatch } from "./store.js";

/** MAX_TITLE is the longest title, in characters. */
export const MAX_TITLE = 200;
/** MAX_BODY is the largest JSON body the API reads, in bytes. */
export const MAX_BODY = 16 * 1024;

/** readJson parses a request body as a JSON object, or throws 400/413/415. */
export async function readJson(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, "send the body as application/json");
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "the body must be a JSON object");
  return value as Record<string, unknown>;
}

/** checkTitle trims a title and checks its length. */
export function checkTitle(value: unknown): string {
  if (typeof value !== "string") throw new HttpError(422, "title must be a string");
  const title = value.trim();
  if (title === "") throw new HttpError(422, "title must not be empty");
  if ([...title].length > MAX_TITLE) throw new HttpError(422, `title must be at most ${MAX_TITLE} characters`);
  return title;
}

/** checkCreate validates a create body: { title }. */
export function checkCreate(body: Record<string, unknown>): string {
  unknownFields(body, ["title"]);
  return checkTitle(body.title);
}

/** checkPatch validates an update body: any of { title, done, order }. */
export function checkPatch(body: Record<string, unknown>): TodoPatch {
  unknownFields(body, ["title", "done", "order"]);
  const patch: TodoPatch = {};
  if ("title" in body) patch.title = checkTitle(body.title);
  if ("done" in body) {
    if (typeof body.done !== "boolean") throw new HttpError(422, "done must be true or false");
    patch.done = body.done;
  }
  if ("order" in body) {
    if (typeof body.order !== "number" || !Number.isInteger(body.order) || Math.abs(body.order) > 1e9) throw new HttpError(422, "order must be an integer");
    patch.order = body.order;
  }
  if (Object.keys(patch).length === 0) throw new HttpError(422, "nothing to update: give title, done or order");
  return patch;
}

/** checkId reads a path id. */
export function checkId(value: string | undefined): number {
  if (value === undefined || !/^[1-9][0-9]{0,15}$/.test(value)) throw new HttpError(404, "no such todo");
  return Number(value);
}

/**
 * parseIfMatch reads `If-Match` into the versions it names (RFC 9110 §13.1.1: strong tags only;
 * a list matches if any tag does); `*` or absent gives undefined, meaning "any version".
 */
export function parseIfMatch(header: string | null): number[] | undefined {
  if (header === null || header.trim() === "*") return undefined;
  const versions: number[] = [];
  for (const tag of header.split(",")) {
    const m = /^\s*"v(\d{1,9})"\s*$/.exec(tag);
    if (m !== null) versions.push(Number(m[1]));
  }
  return versions;
}

/** matchesNoneMatch tells whether If-None-Match names this ETag (weak comparison, lists, `*`). */
export function matchesNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

function unknownFields(body: Record<string, unknown>, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new HttpError(422, `unknown field${extra.length > 1 ? "s" : ""}: ${extra.join(", ")}`);
}
