// Directory listings: an HTML page (directories first, sizes, times, a parent link) in the way
// of Python's http.server, or JSON for `Accept: application/json`. Every listed name is one the
// handler serves: its link is the percent-encoded name, and names that are not UTF-8 are left out.
import { stat, type Stats } from "node:fs";
import { readdir, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { escapeHtml, htmlPage } from "./html-page.js";

/** ListingEntry is one row of a listing. */
export interface ListingEntry {
  name: string;
  /** href is the entry's link relative to the listing: the percent-encoded name, "/" after a directory. */
  href: string;
  type: "file" | "directory";
  size: number;
  /** mtime as an ISO 8601 string. */
  mtime: string;
}

/** ListingPolicy says which entries a listing shows. */
export interface ListingPolicy {
  dotfiles: boolean;
  followSymlinks: boolean;
  realRoot: string;
}

/**
 * readListing lists a directory: hidden names are left out unless asked for, and so are symlinks
 * leaving the root, and names that are not valid UTF-8 (no URL could name them back).
 */
export async function readListing(dir: string, policy: ListingPolicy): Promise<ListingEntry[]> {
  const dirents = await readdir(dir, { withFileTypes: true, encoding: "buffer" });
  const rows = await Promise.all(
    dirents.map((d) => {
      const name = d.name.toString("utf8");
      if (!Buffer.from(name, "utf8").equals(d.name)) return null;
      if (!policy.dotfiles && name.startsWith(".")) return null;
      return listed(join(dir, name), name, d.isSymbolicLink(), policy);
    }),
  );
  return rows.filter((r): r is ListingEntry => r !== null).sort(byTypeThenName);
}

async function listed(path: string, name: string, symlink: boolean, policy: ListingPolicy): Promise<ListingEntry | null> {
  try {
    if (symlink && !policy.followSymlinks) {
      const real = await realpath(path);
      if (real !== policy.realRoot && !real.startsWith(policy.realRoot + sep)) return null;
    }
    const s = await statOf(path);
    if (!s.isFile() && !s.isDirectory()) return null;
    const directory = s.isDirectory();
    return { name, href: encodeURIComponent(name) + (directory ? "/" : ""), type: directory ? "directory" : "file", size: directory ? 0 : s.size, mtime: s.mtime.toISOString() };
  } catch {
    return null; // a dangling link, a file removed meanwhile or one the server may not stat is not listed
  }
}

/** statOf is stat through a callback: for thousands of entries half the cost of fs/promises' stat. */
function statOf(path: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(path, (err, s) => (err === null ? resolve(s) : reject(err))));
}

function byTypeThenName(a: ListingEntry, b: ListingEntry): number {
  if (a.type !== b.type) return a.type === "directory" ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** formatSize gives a short human size: 512 B, 1.5 KiB, 20 MiB. */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[u]}`;
}

/**
 * visibleName shows control characters as the Unicode control pictures (U+2400 block, "␊" for a
 * newline), and C1 controls as U+FFFD, so a name cannot break the page's text; the link is exact.
 */
export function visibleName(name: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? "\u2421" : "\ufffd";
  });
}

/** renderListing builds the HTML page for `displayPath` ("/a/b/"); `parent` adds a "../" row. */
export function renderListing(displayPath: string, entries: ListingEntry[], parent: boolean): string {
  const rows = entries.map((e) => {
    const slash = e.type === "directory" ? "/" : "";
    const size = e.type === "directory" ? "—" : formatSize(e.size);
    const time = e.mtime.slice(0, 16).replace("T", " ");
    return `<tr><td><a href="${escapeHtml(e.href)}">${escapeHtml(visibleName(e.name))}${slash}</a></td><td class="n">${size}</td><td><time datetime="${e.mtime}">${time}</time></td></tr>`;
  });
  if (parent) rows.unshift('<tr><td><a href="../">../</a></td><td class="n"></td><td></td></tr>');
  return htmlPage(
    `Index of ${visibleName(displayPath)}`,
    `<table><thead><tr><th>Name</th><th class="n">Size</th><th>Modified (UTC)</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`,
  );
}
