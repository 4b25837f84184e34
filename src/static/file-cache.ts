// FileCache: what the static handler knows about each file, computed once per version of the
// file (sirv's idea): validators, type, precomputed headers, and the bytes of small files.
// A path is stat'd at most once per event-loop turn: requests read in the same turn share the
// answer, and the next turn stats again, so an edit is seen by the next request that arrives.
import { accessSync, constants, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { sep } from "node:path";
import type { Encoding } from "./accept-encoding.js";
import { compressSync } from "./compression.js";
import { deniedCode, type DeniedCode } from "./fs-errors.js";
import { contentTypeFor, isCompressible } from "./mime.js";

/** Variant is one encoding of a file: the original, a precompressed sidecar, or a compressed copy. */
export interface Variant {
  encoding: Encoding;
  etag: string;
  /** path to read from: the file itself or its sidecar (.br, .gz). */
  path: string;
  size: number;
  /** bytes, once loaded, for small files. */
  bytes: Buffer | null;
  /** onTheFly marks a variant compressed by the server rather than read from a sidecar. */
  onTheFly: boolean;
  /** fields are the response fields of a full answer with this variant, made on first use. */
  fields?: string[];
}

/** FileEntry describes one version of a file. */
export interface FileEntry {
  path: string;
  stats: Stats;
  contentType: string;
  compressible: boolean;
  /** lastModified is the mtime truncated to seconds, as HTTP dates are. */
  lastModified: number;
  lastModifiedText: string;
  identity: Variant;
  sidecars: Partial<Record<"br" | "gzip", Variant>>;
  compressed: Partial<Record<"br" | "gzip", Variant>>;
}

/**
 * Lookup is what a path turned out to be: a file, a directory, nothing servable, a path the
 * server may not read (with the errno code), or one whose real path leaves the root.
 */
export type Lookup =
  | { kind: "file"; entry: FileEntry }
  | { kind: "directory"; stats: Stats }
  | { kind: "missing" }
  | { kind: "forbidden"; code: DeniedCode }
  | { kind: "outside"; realPath: string };

const MISSING: Lookup = { kind: "missing" };

/** FileCacheOptions bounds the cache and sets the symlink policy. */
export interface FileCacheOptions {
  root: string;
  followSymlinks: boolean;
  /** smallFileSize: files up to this size are held in memory (and compressed once). */
  smallFileSize: number;
  /** maxCachedBytes bounds the bytes held for all files. */
  maxCachedBytes: number;
  maxEntries: number;
}

/** FileCache maps paths to entries, revalidated by a stat once per event-loop turn. */
export class FileCache {
  #options: FileCacheOptions;
  #realRoot: string;
  #entries = new Map<string, FileEntry>();
  #cachedBytes = 0;
  /** #thisTurn holds the lookups made in the current event-loop turn; setImmediate empties it. */
  #thisTurn = new Map<string, Lookup>();

  constructor(options: FileCacheOptions) {
    this.#options = options;
    this.#realRoot = realpathSync.native(options.root);
  }

  /**
   * lookup returns what a path is now. The first lookup of a path in an event-loop turn stats it
   * (blocking, like nginx's file lookups); later ones in the same turn reuse that answer.
   */
  lookup(path: string): Lookup {
    const turn = this.#thisTurn;
    let found = turn.get(path);
    if (found === undefined) {
      found = this.#statLookup(path);
      if (turn.size === 0) setImmediate(endTurn, turn);
      turn.set(path, found);
    }
    return found;
  }

  #statLookup(path: string): Lookup {
    let stats: Stats | undefined;
    try {
      stats = statSync(path, { throwIfNoEntry: false });
    } catch (err) {
      return deniedLookup(err) ?? MISSING; // ENOTDIR, ENAMETOOLONG, ELOOP: nothing to serve
    }
    if (stats === undefined) return MISSING;
    const cached = this.#entries.get(path);
    if (cached !== undefined && sameFile(cached.stats, stats)) return { kind: "file", entry: cached };
    const escape = this.#escape(path);
    if (escape !== null) return escape;
    if (stats.isDirectory()) return { kind: "directory", stats };
    if (!stats.isFile()) return MISSING;
    try {
      // Checked before any byte is promised, so an unreadable file is a 403 and not a cut response.
      accessSync(path, constants.R_OK);
    } catch (err) {
      return deniedLookup(err) ?? MISSING;
    }
    const entry = this.#makeEntry(path, stats);
    this.#store(path, entry, cached);
    return { kind: "file", entry };
  }

  /** bytesOf returns a small variant's bytes, loading (and for on-the-fly variants, compressing) once. */
  bytesOf(entry: FileEntry, variant: Variant): Buffer | null {
    if (variant.bytes !== null) return variant.bytes;
    if (variant.size > this.#options.smallFileSize || this.#cachedBytes > this.#options.maxCachedBytes) return null;
    const source = readFileSync(variant.onTheFly ? entry.path : variant.path);
    variant.bytes = variant.onTheFly ? compressSync(source, variant.encoding as "br" | "gzip") : source;
    variant.size = variant.bytes.length;
    this.#cachedBytes += variant.bytes.length;
    return variant.bytes;
  }

  /** compressedVariant returns (creating once) the on-the-fly variant of a small compressible file. */
  compressedVariant(entry: FileEntry, encoding: "br" | "gzip"): Variant {
    return (entry.compressed[encoding] ??= {
      encoding,
      etag: withSuffix(entry.identity.etag, encoding),
      path: entry.path,
      size: -1,
      bytes: null,
      onTheFly: true,
    });
  }

  /**
   * escape applies the symlink policy: null when the real path stays under the real root (or
   * symlinks may be followed), else why the path may not be served.
   */
  #escape(path: string): Lookup | null {
    if (this.#options.followSymlinks) return null;
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch (err) {
      return deniedLookup(err) ?? MISSING;
    }
    return real === this.#realRoot || real.startsWith(this.#realRoot + sep) ? null : { kind: "outside", realPath: real };
  }

  #makeEntry(path: string, stats: Stats): FileEntry {
    const contentType = contentTypeFor(path);
    const lastModified = Math.floor(stats.mtimeMs / 1000) * 1000;
    const etag = `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${Math.floor(stats.mtimeMs).toString(36)}"`;
    const entry: FileEntry = {
      path,
      stats,
      contentType,
      compressible: isCompressible(contentType),
      lastModified,
      lastModifiedText: new Date(lastModified).toUTCString(),
      identity: { encoding: "identity", etag, path, size: stats.size, bytes: null, onTheFly: false },
      sidecars: {},
      compressed: {},
    };
    for (const [encoding, suffix] of [["br", ".br"], ["gzip", ".gz"]] as const) {
      const sidecar = quietStat(path + suffix);
      if (sidecar?.isFile() && this.#escape(path + suffix) === null) {
        entry.sidecars[encoding] = { encoding, etag: withSuffix(etag, encoding), path: path + suffix, size: sidecar.size, bytes: null, onTheFly: false };
      }
    }
    return entry;
  }

  #store(path: string, entry: FileEntry, replaced: FileEntry | undefined): void {
    if (replaced !== undefined) this.#cachedBytes -= heldBytes(replaced);
    this.#entries.delete(path);
    this.#entries.set(path, entry);
    while (this.#entries.size > this.#options.maxEntries) {
      const [oldest, old] = this.#entries.entries().next().value as [string, FileEntry];
      this.#entries.delete(oldest);
      this.#cachedBytes -= heldBytes(old);
    }
  }
}

/** quietStat stats a path that may well not exist; any failure (ENAMETOOLONG for a sibling of a 255-byte name) means absent. */
function quietStat(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function deniedLookup(err: unknown): Lookup | null {
  const code = deniedCode(err);
  return code === null ? null : { kind: "forbidden", code };
}

function endTurn(turn: Map<string, Lookup>): void {
  turn.clear();
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function heldBytes(entry: FileEntry): number {
  let n = entry.identity.bytes?.length ?? 0;
  for (const v of [entry.sidecars.br, entry.sidecars.gzip, entry.compressed.br, entry.compressed.gzip]) n += v?.bytes?.length ?? 0;
  return n;
}

function withSuffix(etag: string, encoding: string): string {
  return `${etag.slice(0, -1)}-${encoding === "gzip" ? "gz" : encoding}"`;
}
