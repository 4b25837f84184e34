// serveStatic directories: index files, HTML and JSON listings (order, escaping,
// percent-encoded hrefs that fetch the right file, parent link), listing:false,
// the trailing-slash redirect and open redirects through "//host" paths.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  anchorsOf,
  curl,
  decodedPathOf,
  FIXED_MTIME,
  makeTree,
  normalizeMediaType,
  rawRequest,
  startStatic,
  type Anchor,
  type StaticServer,
  type TempTree,
} from "../support/static-fixture.js";

// Names that need escaping in HTML or encoding in a URL, each with its own content.
const SPECIAL_FILES = [
  "héllo wörld.txt",
  "a&b.txt",
  "<img src=x onerror=alert(1)>.txt",
  "hash#.txt",
  "q?.txt",
  "100%.txt",
  "sp ace.txt",
  `quo"te'.txt`,
  "javascript:alert(1)",
  "日本語.txt",
  "new\nline.txt",
];
const PLAIN_FILES = ["beta.txt", "gamma.txt"];
const XSS_DIR = "<img src=x onerror=alert(2)>";
const DIRS = ["alpha", "zeta", "dir #1", "100% dir", XSS_DIR];
const contentOf = (name: string) => `content of ${name}\n`;
const BETA_SIZE = 1234;

describe("serveStatic directories", () => {
  let tree: TempTree;
  let site: StaticServer;

  before(async () => {
    const files: Record<string, string | { dir: true }> = {
      "site/index-dir/index.html": "INDEX HTML",
      "site/index-dir/index.htm": "INDEX HTM",
      "site/htm-dir/index.htm": "ONLY HTM",
      "site/list/alpha/inner.txt": "inner",
      "site/list/zeta": { dir: true },
      "site/list/dir #1/nested.txt": "nested in dir #1",
      "site/list/100% dir/p.txt": "percent dir",
      [`site/list/${XSS_DIR}/f.txt`]: "in the xss dir",
      "site/list/beta.txt": "b".repeat(BETA_SIZE),
      "site/list/gamma.txt": contentOf("gamma.txt"),
      "site/list/.env": "SECRET=1",
      "site/list/.git/config": "[core]",
      "site/deep/er/file.txt": "deep file",
      "site/evil.com/x.txt": "x",
      "site/top.txt": "top",
    };
    for (const name of SPECIAL_FILES) files[`site/list/${name}`] = contentOf(name);
    tree = await makeTree(files);
    site = await startStatic({ root: tree.root });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  const listingHtml = async (path: string) => {
    const res = await fetch(`${site.base}${path}`, { headers: { accept: "text/html" } });
    assert.equal(res.status, 200, `${path} listing`);
    assert.equal(normalizeMediaType(res.headers.get("content-type")), "text/html;charset=utf-8");
    return res.text();
  };
  /** entryAnchor finds the anchor whose href resolves to `dirPath + name` (with or without a trailing slash). */
  const entryAnchor = (anchors: Anchor[], dirPath: string, name: string, listingUrl: string) =>
    anchors.find((a) => {
      try {
        const p = decodedPathOf(a.href, listingUrl);
        return p === `${dirPath}${name}` || p === `${dirPath}${name}/`;
      } catch {
        return false;
      }
    });

  describe("index files", () => {
    it("serves index.html before index.htm", async () => {
      const res = await fetch(`${site.base}/index-dir/`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "INDEX HTML");
      assert.equal(normalizeMediaType(res.headers.get("content-type")), "text/html;charset=utf-8");
    });
    it("falls back to index.htm", async () => {
      const res = await fetch(`${site.base}/htm-dir/`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "ONLY HTM");
    });
    it("honours a custom index list", async () => {
      const other = await startStatic({ root: tree.root, index: ["index.htm"] });
      try {
        const res = await fetch(`${other.base}/index-dir/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "INDEX HTM");
      } finally {
        await other.stop();
      }
    });
  });

  describe("HTML listing", () => {
    it("lists every visible entry, directories first, each group sorted", async () => {
      const url = `${site.base}/list/`;
      const html = await listingHtml("/list/");
      const anchors = anchorsOf(html);
      const position = (name: string) => {
        const anchor = entryAnchor(anchors, "/list/", name, url);
        assert.ok(anchor, `no link to ${JSON.stringify(name)} in the listing:\n${html}`);
        return anchor.index;
      };
      for (const name of [...DIRS, ...PLAIN_FILES, ...SPECIAL_FILES]) position(name);
      const dirPositions = DIRS.map(position);
      const filePositions = [...PLAIN_FILES, ...SPECIAL_FILES].map(position);
      assert.ok(Math.max(...dirPositions) < Math.min(...filePositions), "every directory comes before every file");
      // Orders that codepoint, locale and case-insensitive sorting all agree on.
      const inOrder = (names: string[]) => {
        const at = names.map(position);
        assert.deepEqual([...at].sort((a, b) => a - b), at, `expected the order ${JSON.stringify(names)}`);
      };
      inOrder(["alpha", "dir #1", "zeta"]);
      inOrder(["a&b.txt", "beta.txt", "gamma.txt", "hash#.txt", "héllo wörld.txt", "sp ace.txt"]);
    });

    it("hides dotfiles and dot-directories", async () => {
      const url = `${site.base}/list/`;
      const html = await listingHtml("/list/");
      const anchors = anchorsOf(html);
      assert.equal(entryAnchor(anchors, "/list/", ".env", url), undefined, ".env is listed");
      assert.equal(entryAnchor(anchors, "/list/", ".git", url), undefined, ".git is listed");
      assert.ok(!html.includes(".env"), "the name .env appears in the listing");
    });

    it("HTML-escapes names: link text reads back as the name and no markup gets through", async () => {
      const url = `${site.base}/list/`;
      const html = await listingHtml("/list/");
      assert.ok(!html.includes("<img src=x"), "a file name was inserted into the HTML unescaped");
      assert.ok(!html.includes(`quo"te'`), "a quote in a name was not escaped");
      const anchors = anchorsOf(html);
      for (const name of SPECIAL_FILES) {
        const anchor = entryAnchor(anchors, "/list/", name, url)!;
        // Control characters show as their Unicode control pictures ("␊" for a newline).
        const shown = name.replace(/\n/g, "\u240a");
        assert.equal(anchor.text, shown, `link text of ${JSON.stringify(name)}`);
      }
      const dir = entryAnchor(anchors, "/list/", "dir #1", url)!;
      assert.match(dir.text, /^dir #1\/?$/);
    });

    it("percent-encodes hrefs, and each href fetches the file it names", async () => {
      const url = `${site.base}/list/`;
      const anchors = anchorsOf(await listingHtml("/list/"));
      for (const name of [...SPECIAL_FILES, ...PLAIN_FILES]) {
        const anchor = entryAnchor(anchors, "/list/", name, url)!;
        // Only unreserved, sub-delims, ":" "@" "/" and well-formed %XX may appear raw.
        assert.match(anchor.href, /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+$/, `href of ${JSON.stringify(name)} is not percent-encoded: ${JSON.stringify(anchor.href)}`);
        const resolved = new URL(anchor.href, url);
        assert.equal(resolved.protocol, "http:", `href of ${JSON.stringify(name)} resolves to ${resolved.href}`);
        assert.equal(resolved.host, `127.0.0.1:${site.port}`);
        // The href exactly as written, over a raw socket, and through fetch.
        const raw = await rawRequest(site.port, resolved.pathname);
        assert.equal(raw.response.status, 200, `GET ${resolved.pathname}`);
        assert.equal(raw.response.text, name === "beta.txt" ? "b".repeat(BETA_SIZE) : contentOf(name));
        const res = await fetch(resolved);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), raw.response.text);
      }
    });

    it("a directory href opens that directory's listing, whose links work too", async () => {
      const url = `${site.base}/list/`;
      const dir = entryAnchor(anchorsOf(await listingHtml("/list/")), "/list/", "dir #1", url)!;
      const res = await fetch(new URL(dir.href, url), { headers: { accept: "text/html" } });
      assert.equal(res.status, 200);
      const innerUrl = res.url.endsWith("/") ? res.url : `${res.url}/`;
      assert.equal(decodeURIComponent(new URL(innerUrl).pathname), "/list/dir #1/");
      const nested = entryAnchor(anchorsOf(await res.text()), "/list/dir #1/", "nested.txt", innerUrl);
      assert.ok(nested, "nested.txt is listed in dir #1/");
      const file = await fetch(new URL(nested.href, innerUrl));
      assert.equal(await file.text(), "nested in dir #1");
    });

    it("escapes the directory's own path in the page (title and heading)", async () => {
      const target = `/list/${encodeURIComponent(XSS_DIR)}/`;
      const html = await listingHtml(target);
      assert.ok(!html.includes("<img src=x"), `the directory path was inserted unescaped:\n${html}`);
      assert.ok(anchorsOf(html).some((a) => a.text === "f.txt"), "f.txt is listed");
      const percent = await listingHtml("/list/100%25%20dir/");
      const url = `${site.base}/list/100%25%20dir/`;
      const p = entryAnchor(anchorsOf(percent), "/list/100% dir/", "p.txt", url);
      assert.ok(p, "p.txt is listed in 100% dir/");
      assert.equal(await (await fetch(new URL(p.href, url))).text(), "percent dir");
    });

    it("shows each file's size and modification time", async () => {
      const url = `${site.base}/list/`;
      const html = await listingHtml("/list/");
      const anchors = anchorsOf(html);
      const beta = entryAnchor(anchors, "/list/", "beta.txt", url)!;
      const next = anchors.find((a) => a.index > beta.index);
      const row = html.slice(beta.index, next?.index ?? html.length).replace(/<[^>]*>/g, " ");
      assert.match(row, /\b1234\b|\b1[.,]2\d*\s*(?:k|K)/, `beta.txt (1234 bytes) row shows no size: ${row}`);
      assert.match(row, new RegExp(String(FIXED_MTIME.getUTCFullYear())), `beta.txt row shows no modification year: ${row}`);
    });

    it("links to the parent directory, except at the root", async () => {
      const deepUrl = `${site.base}/deep/er/`;
      const deep = anchorsOf(await listingHtml("/deep/er/"));
      assert.ok(deep.some((a) => decodedPathOf(a.href, deepUrl) === "/deep/"), "no link to /deep/ from /deep/er/");
      const root = anchorsOf(await listingHtml("/"));
      for (const a of root) assert.ok(!/^\.\.\/?$/.test(a.href.trim()) && !/^\.\.\/?$/.test(a.text), `the root listing links to its parent: ${JSON.stringify(a)}`);
      assert.ok(entryAnchor(root, "/", "top.txt", `${site.base}/`), "the root listing lists top.txt");
    });

    it("curl gets the listing and a Unicode file through its encoded href", async () => {
      const listing = await curl([`${site.base}/list/`]);
      assert.equal(listing.code, 0, listing.stderr);
      const anchor = entryAnchor(anchorsOf(listing.stdout.toString("utf8")), "/list/", "héllo wörld.txt", `${site.base}/list/`)!;
      const file = await curl(["--path-as-is", new URL(anchor.href, `${site.base}/list/`).href]);
      assert.equal(file.code, 0, file.stderr);
      assert.equal(file.stdout.toString("utf8"), contentOf("héllo wörld.txt"));
    });
  });

  describe("JSON listing", () => {
    it("answers Accept: application/json with name, type, size and mtime per entry", async () => {
      const res = await fetch(`${site.base}/list/`, { headers: { accept: "application/json" } });
      assert.equal(res.status, 200);
      assert.match(normalizeMediaType(res.headers.get("content-type")), /^application\/json(;|$)/);
      const entries = (await res.json()) as Array<{ name: string; type: string; size: number; mtime: string | number }>;
      assert.ok(Array.isArray(entries), "the JSON listing is an array");
      const byName = new Map(entries.map((e) => [e.type === "directory" ? e.name.replace(/\/$/, "") : e.name, e]));
      assert.deepEqual([...byName.keys()].sort(), [...DIRS, ...PLAIN_FILES, ...SPECIAL_FILES].sort(), "exactly the visible entries");
      for (const name of DIRS) assert.equal(byName.get(name)!.type, "directory", name);
      for (const name of [...PLAIN_FILES, ...SPECIAL_FILES]) {
        const entry = byName.get(name)!;
        assert.equal(entry.type, "file", name);
        assert.equal(entry.size, Buffer.byteLength(name === "beta.txt" ? "b".repeat(BETA_SIZE) : contentOf(name)), `size of ${name}`);
        const mtime = typeof entry.mtime === "number" ? (entry.mtime < 1e11 ? entry.mtime * 1000 : entry.mtime) : Date.parse(entry.mtime);
        assert.ok(Math.abs(mtime - FIXED_MTIME.getTime()) < 1000, `mtime of ${name}: ${JSON.stringify(entry.mtime)}`);
      }
    });
  });

  describe("listing: false", () => {
    it("gives 404 for a directory without an index but still serves index files", async () => {
      const quiet = await startStatic({ root: tree.root, listing: false });
      try {
        const list = await rawRequest(quiet.port, "/list/");
        assert.equal(list.response.status, 404);
        assert.ok(!list.response.text.includes("beta.txt"), "a 404 leaks the directory's contents");
        const json = await rawRequest(quiet.port, "/list/", { headers: { accept: "application/json" } });
        assert.equal(json.response.status, 404);
        assert.ok(!json.response.text.includes("beta.txt"));
        const index = await rawRequest(quiet.port, "/index-dir/");
        assert.equal(index.response.status, 200);
        assert.equal(index.response.text, "INDEX HTML");
        assert.equal((await rawRequest(quiet.port, "/list/beta.txt")).response.status, 200);
      } finally {
        await quiet.stop();
      }
    });
  });

  describe("trailing slash", () => {
    const locationPath = (location: string | undefined, target: string) => {
      assert.ok(location, `no Location for ${target}`);
      const url = new URL(location, `${site.base}${target}`);
      assert.equal(url.host, `127.0.0.1:${site.port}`, `Location ${location} leaves the server`);
      return decodeURIComponent(url.pathname) + url.search;
    };

    it("redirects a directory without its slash with 301, keeping the query", async () => {
      for (const [target, expected] of [
        ["/list", "/list/"],
        ["/deep/er", "/deep/er/"],
        ["/list?x=1&y=%20z", "/list/?x=1&y=%20z"],
        ["/list/dir%20%231", "/list/dir #1/"],
        ["/list/100%25%20dir", "/list/100% dir/"],
        ["/list/100%25%20dir?q=%25", "/list/100% dir/?q=%25"],
      ] as const) {
        const { response } = await rawRequest(site.port, target);
        assert.equal(response.status, 301, target);
        assert.equal(locationPath(response.get("location"), target), expected, target);
      }
    });

    it("fetch follows the redirect to the listing", async () => {
      const res = await fetch(`${site.base}/deep/er`, { headers: { accept: "text/html" } });
      assert.equal(res.status, 200);
      assert.equal(new URL(res.url).pathname, "/deep/er/");
      assert.ok(anchorsOf(await res.text()).some((a) => a.text.includes("file.txt")));
    });

    it("never redirects to another host through a path starting with // or a backslash", async () => {
      const targets = [
        "//evil.com",
        "//evil.com/",
        "//evil.com?x=1",
        "///evil.com",
        "////evil.com",
        "/\\evil.com",
        "/%5cevil.com",
        "/%2fevil.com",
        "/%2Fevil.com",
        "//evil.com/%2e%2e",
        "//evil.com/..",
        "/./evil.com",
        "//127.0.0.1:1/evil.com",
      ];
      for (const target of targets) {
        const { response } = await rawRequest(site.port, target);
        assert.ok(response.status < 500, `${target}: ${response.status}`);
        const location = response.get("location");
        if (location === undefined) continue;
        assert.ok(!/^\s*[/\\]{2}/.test(location), `${target}: protocol-relative Location ${JSON.stringify(location)}`);
        assert.ok(!/^\s*\/\\|^\s*\\/.test(location), `${target}: Location ${JSON.stringify(location)} starts with a backslash`);
        const url = new URL(location, `${site.base}/`);
        assert.equal(url.host, `127.0.0.1:${site.port}`, `${target}: Location ${JSON.stringify(location)} points to another host`);
      }
    });
  });
});
