// Directory listings: an HTML page (directories first, sizes, times, a parent link) in the way
// of Python's http.server, or JSON for `Accept: application/json`.
import { readdir, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";

/** ListingEntry is one row of a listing. */
export interface ListingEntry {
  name: string;
  type: "file" | "directory";
  size: number;
  /** mtime as an ISO 8601 string. */
  mtime: string;
}

/** readListing lists a directory: hidden names are left out unless asked for, and so are symlinks leaving the root. */
export async function readListing(dir: string, opts: { dotfiles: boolean; followSymlinks: boolean; realRoot: string }): Promise<ListingEntry[]> {
  const dirents = await readdir(dir, { withFileTypes: true });
  const rows = await Promise.all(
    dirents.map(async (d): Promise<ListingEntry | null> => {
      if (!opts.dotfiles && d.name.startsWith(".")) return null;
      const path = join(dir, d.name);
      try {
        if (d.isSymbolicLink() && !opts.followSymlinks) {
          const real = await realpath(path);
          if (real !== opts.realRoot && !real.startsWith(opts.realRoot + sep)) return null;
        }
        const s = await stat(path);
        if (!s.isFile() && !s.isDirectory()) return null;
        return { name: d.name, type: s.isDirectory() ? "directory" : "file", size: s.isDirectory() ? 0 : s.size, mtime: s.mtime.toISOString() };
      } catch {
        return null; // a dangling link or a file removed meanwhile is simply not listed
      }
    }),
  );
  return rows
    .filter((r): r is ListingEntry => r !== null)
    .sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === "directory" ? -1 : 1));
}

/** escapeHtml makes text safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
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

/** renderListing builds the HTML page; `urlPath` is the directory's percent-encoded path ending in "/". */
export function renderListing(urlPath: string, displayPath: string, entries: ListingEntry[]): string {
  const rows = entries.map((e) => {
    const href = encodeURIComponent(e.name) + (e.type === "directory" ? "/" : "");
    const label = escapeHtml(e.name) + (e.type === "directory" ? "/" : "");
    const size = e.type === "directory" ? "—" : formatSize(e.size);
    const time = e.mtime.slice(0, 16).replace("T", " ");
    return `<tr><td><a href="${escapeHtml(href)}">${label}</a></td><td class="n">${size}</td><td><time datetime="${e.mtime}">${time}</time></td></tr>`;
  });
  if (urlPath !== "/") rows.unshift('<tr><td><a href="../">../</a></td><td class="n"></td><td></td></tr>');
  const title = `Index of ${escapeHtml(displayPath)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.3rem;word-break:break-all}table{border-collapse:collapse;width:100%}
td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #eee}td.n,th.n{text-align:right;white-space:nowrap}
a{color:#0550ae;text-decoration:none}a:hover{text-decoration:underline}footer{color:#888;font-size:.8rem;margin-top:1rem}</style>
</head><body><h1>${title}</h1>
<table><thead><tr><th>Name</th><th class="n">Size</th><th>Modified (UTC)</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table><footer>sockserve</footer></body></html>
`;
}
