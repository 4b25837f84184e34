// Content types from the maintained mime-db database (through mime-types), with charset for text.
import { createRequire } from "node:module";
import { charset, lookup } from "mime-types";

interface MimeEntry {
  compressible?: boolean;
}

const db = createRequire(import.meta.url)("mime-db") as Record<string, MimeEntry>;

/** contentTypeFor returns the Content-Type for a file name: text types get `; charset=utf-8`, unknown ones application/octet-stream. */
export function contentTypeFor(fileName: string): string {
  const type = lookup(fileName);
  if (type === false) return "application/octet-stream";
  const textual = charset(type) === "UTF-8" || type.startsWith("text/") || type.endsWith("+xml") || type.endsWith("+json") || type === "application/xml";
  return textual ? `${type}; charset=utf-8` : type;
}

/** isCompressible tells whether a type is worth compressing, from mime-db's `compressible` flag. */
export function isCompressible(contentType: string): boolean {
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === "application/octet-stream") return false; // unknown bytes: mime-db says yes, but most are already packed
  const entry = db[type];
  if (entry?.compressible !== undefined) return entry.compressible;
  return type.startsWith("text/") || type.endsWith("+json") || type.endsWith("+xml");
}
