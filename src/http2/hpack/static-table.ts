// The HPACK static table (RFC 7541 §2.3.1, Appendix A): 61 fixed entries, index 1 to 61, with
// the encoder's lookups by name and by name and value built once at module load.

/** STATIC_TABLE lists Appendix A's entries as [name, value]; entry `i` (1-based) is `STATIC_TABLE[i - 1]`. */
export const STATIC_TABLE: readonly (readonly [string, string])[] = Object.freeze([
  [":authority", ""],
  [":method", "GET"],
  [":method", "POST"],
  [":path", "/"],
  [":path", "/index.html"],
  [":scheme", "http"],
  [":scheme", "https"],
  [":status", "200"],
  [":status", "204"],
  [":status", "206"],
  [":status", "304"],
  [":status", "400"],
  [":status", "404"],
  [":status", "500"],
  ["accept-charset", ""],
  ["accept-encoding", "gzip, deflate"],
  ["accept-language", ""],
  ["accept-ranges", ""],
  ["accept", ""],
  ["access-control-allow-origin", ""],
  ["age", ""],
  ["allow", ""],
  ["authorization", ""],
  ["cache-control", ""],
  ["content-disposition", ""],
  ["content-encoding", ""],
  ["content-language", ""],
  ["content-length", ""],
  ["content-location", ""],
  ["content-range", ""],
  ["content-type", ""],
  ["cookie", ""],
  ["date", ""],
  ["etag", ""],
  ["expect", ""],
  ["expires", ""],
  ["from", ""],
  ["host", ""],
  ["if-match", ""],
  ["if-modified-since", ""],
  ["if-none-match", ""],
  ["if-range", ""],
  ["if-unmodified-since", ""],
  ["last-modified", ""],
  ["link", ""],
  ["location", ""],
  ["max-forwards", ""],
  ["proxy-authenticate", ""],
  ["proxy-authorization", ""],
  ["range", ""],
  ["referer", ""],
  ["refresh", ""],
  ["retry-after", ""],
  ["server", ""],
  ["set-cookie", ""],
  ["strict-transport-security", ""],
  ["transfer-encoding", ""],
  ["user-agent", ""],
  ["vary", ""],
  ["via", ""],
  ["www-authenticate", ""],
] as const);

/** STATIC_TABLE_LENGTH is the number of static entries (61); dynamic indexes start after it. */
export const STATIC_TABLE_LENGTH = 61;

/** StaticName is what the static table knows of one name: its first index and its indexed values. */
export interface StaticName {
  /** index is the smallest index whose entry has this name. */
  readonly index: number;
  /** values maps each non-empty value listed with this name to its index. */
  readonly values: ReadonlyMap<string, number>;
}

function buildNames(): ReadonlyMap<string, StaticName> {
  const names = new Map<string, { index: number; values: Map<string, number> }>();
  STATIC_TABLE.forEach(([name, value], i) => {
    let entry = names.get(name);
    if (entry === undefined) names.set(name, (entry = { index: i + 1, values: new Map() }));
    // Entries with an empty value also match an empty value exactly.
    if (!entry.values.has(value)) entry.values.set(value, i + 1);
  });
  return names;
}

const names = buildNames();

/** staticName returns what the static table holds for `name`, or undefined when it has no such name. */
export function staticName(name: string): StaticName | undefined {
  return names.get(name);
}
