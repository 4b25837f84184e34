// Every odd name a Linux file system allows is listed only if it is served: for each, the HTML
// listing's link and the JSON listing's href, fetched over TCP, give the file's exact bytes.
// Backslashes are names' characters (%5C), never separators; names that are not UTF-8 are left out.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { anchorsOf, curl, makeTree, rawRequest, startStatic, type StaticServer, type TempTree } from "../support/static-fixture.js";

const NFC = "caf\u00e9.txt";
const NFD = "cafe\u0301.txt";
const ODD_NAMES = [
  "sp ace.txt",
  "hash#.txt",
  "q?.txt",
  "100%.txt",
  "%41.txt", // a literal "%41", not "A"
  "%2e%2e",
  "%5C.txt",
  `quo"te'.txt`,
  "<lt>gt&amp;.txt",
  "emoji \u{1f600}\u{1f44d}\u{1f3fd}.txt",
  NFC,
  NFD,
  "a..",
  "a\\b.txt",
  "\\",
  "-leading-dash.txt",
  "ctl\u0001\u001f\u007f.txt",
  "new\nline.txt",
  "tab\there.txt",
  "cr\rhere.txt",
  "c1\u0085.txt",
  "plus+and=semi;colon,comma.txt",
  "a".repeat(255), // the Linux maximum, in bytes
  `${"\u{1f600}".repeat(63)}abc`, // 255 bytes of UTF-8, 765 characters encoded
  "é".repeat(127) + "x", // 255 bytes
];
// Names starting with "." are dotfiles: listed and served only with `dotfiles: true`.
const DOT_NAMES = ["..a", "...", ".hidden", "..\\secret.txt"];
const bytesOf = (name: string) => Buffer.from(`bytes of ${JSON.stringify(name)}\n`);
/** dirOf names a directory holding one file, for each odd name: "dir NAME" when that fits in 255 bytes. */
const dirOf = (name: string, i: number) => (Buffer.byteLength(`dir ${name}`) <= 255 ? `dir ${name}` : `dir long ${i}`);

describe("serveStatic listings agree with what is served, for odd names", () => {
  let tree: TempTree;
  let site: StaticServer;
  let dotSite: StaticServer;

  before(async () => {
    const files: Record<string, Buffer> = { "secret.txt": Buffer.from("OUTSIDE SECRET") };
    for (const [i, name] of [...ODD_NAMES, ...DOT_NAMES].entries()) {
      files[`site/${name}`] = bytesOf(name);
      files[`site/${dirOf(name, i)}/inner.txt`] = bytesOf(`inner ${name}`);
    }
    tree = await makeTree(files);
    // A name that is not UTF-8 (latin-1 "été"): no URL can name it back, so it is left out.
    await writeFile(Buffer.from(path.join(tree.root, "\xe9t\xe9.txt"), "latin1"), "latin-1 name");
    site = await startStatic({ root: tree.root, logger: () => {} });
    dotSite = await startStatic({ root: tree.root, dotfiles: true, logger: () => {} });
  });
  after(async () => {
    await site?.stop();
    await dotSite?.stop();
    await tree?.remove();
  });

  /** follow fetches `href` as a browser would resolve it against `listing`. */
  const follow = async (href: string, listing: string) => {
    const res = await fetch(new URL(href, listing));
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  for (const [label, server, names] of [
    ["default", () => site, ODD_NAMES],
    ["dotfiles: true", () => dotSite, [...ODD_NAMES, ...DOT_NAMES]],
  ] as const) {
    it(`${label}: each HTML link fetches the file's exact bytes`, async () => {
      const listing = `${server().base}/`;
      const html = await (await fetch(listing, { headers: { accept: "text/html" } })).text();
      const anchors = anchorsOf(html);
      for (const name of names) {
        const anchor = anchors.find((a) => a.href === encodeURIComponent(name));
        assert.ok(anchor, `${JSON.stringify(name)} is not linked`);
        const got = await follow(anchor.href, listing);
        assert.equal(got.status, 200, `${JSON.stringify(name)} via ${anchor.href}`);
        assert.deepEqual(got.bytes, bytesOf(name), JSON.stringify(name));
      }
    });

    it(`${label}: each JSON entry's href fetches its bytes; directories list their files`, async () => {
      const listing = `${server().base}/`;
      const entries = (await (await fetch(listing, { headers: { accept: "application/json" } })).json()) as { name: string; href: string; type: string }[];
      for (const [i, name] of names.entries()) {
        const entry = entries.find((e) => e.name === name && e.type === "file");
        assert.ok(entry, `${JSON.stringify(name)} missing from the JSON listing`);
        const got = await follow(entry.href, listing);
        assert.deepEqual([got.status, got.bytes], [200, bytesOf(name)], JSON.stringify(name));
        const dir = entries.find((e) => e.name === dirOf(name, i) && e.type === "directory")!;
        const inner = await follow(`${dir.href}inner.txt`, listing);
        assert.deepEqual([inner.status, inner.bytes], [200, bytesOf(`inner ${name}`)], `inside dir of ${JSON.stringify(name)}`);
      }
      // Listed exactly: everything listed is one of the names, nothing more, nothing less.
      const files = entries.filter((e) => e.type === "file").map((e) => e.name).sort();
      assert.deepEqual(files, [...names].sort());
    });
  }

  it("NFC and NFD spellings of one word are two files, each served its own bytes", async () => {
    const nfc = await follow(encodeURIComponent(NFC), `${site.base}/`);
    const nfd = await follow(encodeURIComponent(NFD), `${site.base}/`);
    assert.deepEqual(nfc.bytes, bytesOf(NFC));
    assert.deepEqual(nfd.bytes, bytesOf(NFD));
    assert.notDeepEqual(nfc.bytes, nfd.bytes);
  });

  it("hidden names are neither listed nor served by default", async () => {
    const entries = (await (await fetch(`${site.base}/`, { headers: { accept: "application/json" } })).json()) as { name: string }[];
    for (const name of DOT_NAMES) {
      assert.ok(!entries.some((e) => e.name === name), name);
      assert.equal((await fetch(`${site.base}/${encodeURIComponent(name)}`)).status, 404, name);
    }
  });

  it("a name that is not UTF-8 is left out of the listing", async () => {
    const html = await (await fetch(`${site.base}/`)).text();
    assert.ok(!html.includes("t\ufffd.txt") && !html.includes("%EF%BF%BD"), "a name with U+FFFD was listed");
  });

  it("a backslash is never a separator: raw \\ gets 400, %5C.. names a file, never the parent", async () => {
    for (const target of ["/..\\secret.txt", "/a\\b.txt"]) assert.equal((await rawRequest(dotSite.port, target)).response.status, 400, target);
    const own = await rawRequest(dotSite.port, "/..%5Csecret.txt");
    assert.equal(own.response.status, 200);
    assert.deepEqual(own.response.body, bytesOf("..\\secret.txt"));
    for (const target of ["/%5C..%5Csecret.txt", "/%5C..%5C..%5Csecret.txt", "/a%5C..%5C..%5Csecret.txt"]) {
      const { response } = await rawRequest(dotSite.port, target);
      assert.equal(response.status, 404, target);
      assert.ok(!response.text.includes("OUTSIDE SECRET"), target);
    }
  });

  it("curl follows the encoded links too (a 255-byte name, a backslash, an emoji)", async () => {
    for (const name of ["a".repeat(255), "a\\b.txt", "emoji \u{1f600}\u{1f44d}\u{1f3fd}.txt"]) {
      const c = await curl(["-o", "-", "-w", "\n%{http_code}", `${site.base}/${encodeURIComponent(name)}`]);
      assert.equal(c.code, 0, c.stderr);
      assert.deepEqual(c.stdout, Buffer.concat([bytesOf(name), Buffer.from("\n200")]), name);
    }
  });
});
