// A small JSON Schema (draft-07) checker for the keywords sockserve's published schema uses, so
// tests can hold the schema against the validator without a schema library. KEYWORDS lists them.

type Schema = Record<string, unknown>;

/** KEYWORDS are the schema keywords `schemaErrors` understands; annotations are listed too. */
export const KEYWORDS = new Set([
  "$schema", "$id", "title", "description", "type", "properties", "additionalProperties", "required",
  "items", "maxItems", "minLength", "maxLength", "pattern", "enum", "minimum", "maximum",
]);

/** unknownKeywords lists keywords anywhere in `schema` that schemaErrors would ignore. */
export function unknownKeywords(schema: Schema, where = "#"): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(key)) out.push(`${where}/${key}`);
    if (key === "properties") for (const [name, sub] of Object.entries(value as Record<string, Schema>)) out.push(...unknownKeywords(sub, `${where}/properties/${name}`));
    if (key === "items" || (key === "additionalProperties" && typeof value === "object")) out.push(...unknownKeywords(value as Schema, `${where}/${key}`));
  }
  return out;
}

/** schemaErrors lists where `value` breaks `schema` (empty when it fits). */
export function schemaErrors(schema: Schema, value: unknown, where = "$"): string[] {
  const errors: string[] = [];
  const fail = (what: string): void => void errors.push(`${where}: ${what}`);
  if (schema.type !== undefined && !hasType(value, schema.type as string)) return [`${where}: not ${String(schema.type)}`];
  if (schema.enum !== undefined && !(schema.enum as unknown[]).includes(value)) fail("not in enum");
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) fail("too short");
    if (typeof schema.maxLength === "number" && length > schema.maxLength) fail("too long");
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) fail(`does not match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail("below minimum");
    if (typeof schema.maximum === "number" && value > schema.maximum) fail("above maximum");
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems) fail("too many items");
    if (schema.items !== undefined) value.forEach((item, i) => errors.push(...schemaErrors(schema.items as Schema, item, `${where}[${i}]`)));
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) errors.push(...objectErrors(schema, value as Record<string, unknown>, where));
  return errors;
}

function objectErrors(schema: Schema, o: Record<string, unknown>, where: string): string[] {
  const errors: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const name of (schema.required ?? []) as string[]) if (!(name in o)) errors.push(`${where}: missing ${name}`);
  for (const [name, item] of Object.entries(o)) {
    if (name in properties) errors.push(...schemaErrors(properties[name], item, `${where}.${name}`));
    else if (schema.additionalProperties === false) errors.push(`${where}: unexpected ${name}`);
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "object": return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array": return Array.isArray(value);
    case "integer": return Number.isInteger(value);
    case "null": return value === null;
    default: return typeof value === type;
  }
}
