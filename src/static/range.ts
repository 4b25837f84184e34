// Range requests (RFC 9110 §14): parse a `Range: bytes=...` header against a representation size.

/** ByteRange is an inclusive byte interval [start, end]. */
export interface ByteRange {
  start: number;
  end: number;
}

/** MAX_RANGES bounds how many ranges one request may ask for; more are ignored (RFC 9110 §14.2 allows it). */
export const MAX_RANGES = 16;

/**
 * parseRange reads a Range header for a representation of `size` bytes. It returns null when the
 * header is absent, malformed, not in bytes, or asks for too many ranges (then the whole
 * representation is sent, RFC 9110 §14.2), "unsatisfiable" when no range overlaps the content
 * (416), or the satisfiable ranges in request order.
 */
export function parseRange(header: string | null, size: number): ByteRange[] | "unsatisfiable" | null {
  if (header === null) return null;
  const eq = header.indexOf("=");
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return null;
  const specs = header.slice(eq + 1).split(",");
  if (specs.length > MAX_RANGES) return null;
  const ranges: ByteRange[] = [];
  let sawSpec = false;
  for (const raw of specs) {
    const spec = raw.trim();
    if (spec === "") continue;
    const m = /^(\d*)-(\d*)$/.exec(spec);
    if (m === null || (m[1] === "" && m[2] === "")) return null;
    sawSpec = true;
    const range = m[1] === "" ? suffix(Number(m[2]), size) : prefix(Number(m[1]), m[2] === "" ? NaN : Number(m[2]), size);
    if (range === "invalid") return null;
    if (range !== null) ranges.push(range);
  }
  if (!sawSpec) return null;
  return ranges.length === 0 ? "unsatisfiable" : ranges;
}

function suffix(length: number, size: number): ByteRange | null {
  if (length === 0 || size === 0) return null; // a zero suffix selects nothing
  return { start: Math.max(0, size - length), end: size - 1 };
}

function prefix(first: number, last: number, size: number): ByteRange | null | "invalid" {
  if (!Number.isNaN(last) && last < first) return "invalid"; // RFC 9110 §14.1.1: last < first is invalid
  if (first >= size) return null;
  return { start: first, end: Number.isNaN(last) ? size - 1 : Math.min(last, size - 1) };
}

/** contentRange formats `bytes start-end/size` (RFC 9110 §14.4). */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
