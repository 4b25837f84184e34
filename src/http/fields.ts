// Field lists: the flat [name, value, name, value, ...] arrays that engines, the fetch bridge and
// handlers pass around, and the RFC 9110 rules on them (§5.6.1 lists, §5.6.2 tokens, §8.6
// Content-Length), each written once.

/**
 * fieldValue returns the first value of the field named `lowerName` (compared case-insensitively),
 * or undefined when the list has none.
 */
export function fieldValue(fields: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return fields[i + 1];
  }
  return undefined;
}

/** joinedFieldValue returns every value of a field joined with ", " (RFC 9110 §5.3), or null. */
export function joinedFieldValue(fields: readonly string[], lowerName: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i];
    if (name.length !== lowerName.length || name.toLowerCase() !== lowerName) continue;
    value = value === null ? fields[i + 1] : `${value}, ${fields[i + 1]}`;
  }
  return value;
}

/** joinedFieldValues reads several fields (by lowercase name) in one pass, repeats joined with ", ". */
export function joinedFieldValues(fields: readonly string[], lowerNames: readonly string[]): (string | null)[] {
  const values = new Array<string | null>(lowerNames.length).fill(null);
  for (let i = 0; i < fields.length; i += 2) {
    const j = lowerNames.indexOf(fields[i].toLowerCase());
    if (j === -1) continue;
    const prior = values[j];
    values[j] = prior === null ? fields[i + 1] : `${prior}, ${fields[i + 1]}`;
  }
  return values;
}

/** hasField tells whether the list holds a field named `lowerName`. */
export function hasField(fields: readonly string[], lowerName: string): boolean {
  return fieldValue(fields, lowerName) !== undefined;
}

const MAX_LENGTH_DIGITS = 15; // 10^15 bytes: beyond any body, and exact in a double

/**
 * parseLength reads a Content-Length value: 1*DIGIT (RFC 9110 §8.6) with optional whitespace
 * around it, at most 15 digits. It returns -1 for anything else.
 */
export function parseLength(value: string): number {
  let start = 0;
  let end = value.length;
  while (start < end && isSpace(value.charCodeAt(start))) start++;
  while (end > start && isSpace(value.charCodeAt(end - 1))) end--;
  if (end === start || end - start > MAX_LENGTH_DIGITS) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** declaredLength reads the Content-Length of a field list, or -1 when it is absent or not 1*DIGIT. */
export function declaredLength(fields: readonly string[]): number {
  const value = fieldValue(fields, "content-length");
  return value === undefined ? -1 : parseLength(value);
}

/** listTokens splits a comma-separated list of tokens, lowercased, empty items dropped (RFC 9110 §5.6.1). */
export function listTokens(value: string): string[] {
  const out: string[] = [];
  for (const item of value.split(",")) {
    const token = item.trim().toLowerCase();
    if (token !== "") out.push(token);
  }
  return out;
}

/** hasToken tells whether a comma-separated list (such as Connection) holds `lowerToken`. */
export function hasToken(value: string | null | undefined, lowerToken: string): boolean {
  if (value === null || value === undefined) return false;
  return listTokens(value).includes(lowerToken);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}
