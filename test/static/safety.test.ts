// serveStatic never serves outside its root: traversal in every spelling over raw
// sockets and curl --path-as-is, symlinks leaving the root (and followSymlinks),
// dotfiles, a root reached through a symlink or a relative path. Secret files sit
// next to the root, and their contents must never appear in any response.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { symlink } from "node:fs/promises";
import path from "node:path";
import { anchorsOf, curl, makeTree, rawRequest, startStatic, type StaticServer, type TempTree } from "../support/static-fixture.js";

const SECRET = `TOP-SECRET-${randomBytes(8).toString("hex")}`;
const SIBLING_SECRET = `SIBLING-SECRET-${randomBytes(8).toString("hex")}`;
const OUTSIDE_SECRET = `OUTSIDE-SECRET-${randomBytes(8).toString("hex")}`;
const DOT_SECRET = `DOT-SECRET-${randomBytes(8).toString("hex")}`;
const FORBIDDEN = [SECRET, SIBLING_SECRET, OUTSIDE_SECRET, "root:x:0:0"];
const REFUSED = new Set([400, 403, 404]);

/** assertRefused checks a response neither succeeds nor leaks any secret. */
function assertRefused(label: string, status: number, body: Buffer, forbidden = FORBIDDEN): void {
  assert.ok(REFUSED.has(status), `${label}: status ${status}, expected 400, 403 or 404`);
  const text = body.toString("latin1");
  for (const secret of forbidden) assert.ok(!text.includes(secret), `${label}: the response leaks ${secret}`);
}

describe("serveStatic safety", () => {
  let tree: TempTree;
  let site: StaticServer;

  before(async () => {
    tree = await makeTree({
      "secret.txt": SECRET,
      "site-secret/s.txt": SIBLING_SECRET,
      "outside/secret3.txt": OUTSIDE_SECRET,
      "site/public.txt": "public",
      "site/sub/a.txt": "sub a",
      "site/.env": DOT_SECRET,
      "site/.git/config": DOT_SECRET,
      "site/.hidden/file.txt": DOT_SECRET,
      "site/sub/.secret": DOT_SECRET,
      "site/link-in.txt": { symlink: "public.txt" },
      "site/link-in-dir": { symlink: "sub" },
      "site/link-out.txt": { symlink: "../secret.txt" },
      "site/link-out-dir": { symlink: "../outside" },
      "site/chain.txt": { symlink: "link-out.txt" },
      "site/sub/up.txt": { symlink: "../../secret.txt" },
      "site/link-sibling": { symlink: "../site-secret" },
      "site/loop-a": { symlink: "loop-b" },
      "site/loop-b": { symlink: "loop-a" },
      "site/self": { symlink: "self" },
      "site/broken": { symlink: "does-not-exist" },
    });
    await symlink(path.join(tree.base, "secret.txt"), path.join(tree.root, "link-out-abs.txt"));
    site = await startStatic({ root: tree.root });
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  it("serves ordinary and percent-encoded paths inside the root", async () => {
    for (const [target, body] of [
      ["/public.txt", "public"],
      ["/sub/a.txt", "sub a"],
      ["/sub/%61.txt", "sub a"],
      ["/%70ublic.txt", "public"],
      ["/sub/../public.txt", "public"],
      ["/./public.txt", "public"],
    ] as const) {
      const { response } = await rawRequest(site.port, target);
      if (target.includes("..") || target.includes("/./")) {
        // Dot-segments that stay inside the root may be resolved or refused, never escape.
        if (response.status === 200) assert.equal(response.text, body, target);
        else assertRefused(target, response.status, response.body);
        continue;
      }
      assert.equal(response.status, 200, target);
      assert.equal(response.text, body, target);
    }
  });

  describe("traversal", () => {
    const long = "a".repeat(300);
    const targets = [
      "/../secret.txt",
      "/../../secret.txt",
      "/sub/../../secret.txt",
      "/./../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/.%2e/secret.txt",
      "/%2e./secret.txt",
      "/sub/%2e%2e/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/..%2Fsecret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub/..%2f..%2fsecret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      "/..\\secret.txt",
      "/sub\\..\\..\\secret.txt",
      "/..%5csecret.txt",
      "/%5c..%5csecret.txt",
      "/sub%5c..%5c..%5csecret.txt",
      "/%252e%252e/secret.txt",
      "/%252e%252e%252fsecret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/..%c0%afsecret.txt",
      "/....//secret.txt",
      "/..;/secret.txt",
      "/../site-secret/s.txt",
      "/..%2fsite-secret/s.txt",
      "/%2e%2e/site-secret/s.txt",
      "/../outside/secret3.txt",
      "//etc/passwd",
      "///etc/passwd",
      "/%2fetc/passwd",
      "/%2Fetc%2Fpasswd",
      "/../../../../../../../../etc/passwd",
      "/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
      "/public.txt%00",
      "/public.txt%00.html",
      "/%00/../secret.txt",
      "/..%00/secret.txt",
      "/public.txt\x00",
      `/${long}.txt`,
      `/${Array.from({ length: 20 }, () => "b".repeat(250)).join("/")}`,
      `/${"../".repeat(1500)}secret.txt`,
      `/${"%2e%2e%2f".repeat(700)}etc/passwd`,
      `http://127.0.0.1/../secret.txt`,
      `http://127.0.0.1/%2e%2e/secret.txt`,
      `http://evil.example/..%2fsecret.txt`,
      "file:///etc/passwd",
      "*",
      "/%ff%fe.txt",
      "/%e9t%e9.txt",
      "/%",
      "/%zz/../secret.txt",
      "/%2",
    ];
    for (const target of targets) {
      it(`refuses ${JSON.stringify(target.length > 80 ? `${target.slice(0, 60)}…(${target.length} chars)` : target)}`, async () => {
        for (const accept of [undefined, "text/html", "application/json"]) {
          const { response } = await rawRequest(site.port, target, accept ? { headers: { accept } } : {});
          assertRefused(`${target} (Accept: ${accept})`, response.status, response.body);
        }
      });
    }

    it("absolute-form naming a file inside the root is served", async () => {
      const { response } = await rawRequest(site.port, `http://127.0.0.1:${site.port}/public.txt`);
      assert.equal(response.status, 200);
      assert.equal(response.text, "public");
    });

    it("curl --path-as-is gets no secret either", async () => {
      for (const target of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/..%5csecret.txt", "/../site-secret/s.txt"]) {
        const c = await curl(["--path-as-is", "-o", "-", "-w", "\n%{http_code}", `${site.base}${target}`]);
        assert.equal(c.code, 0, c.stderr);
        const text = c.stdout.toString("latin1");
        const status = Number(text.slice(text.lastIndexOf("\n") + 1));
        assertRefused(`curl ${target}`, status, c.stdout);
      }
    });

    it("fetch cannot get there either, and the server still serves afterwards", async () => {
      const res = await fetch(`${site.base}/%2e%2e%2fsecret.txt`);
      assertRefused("fetch /%2e%2e%2fsecret.txt", res.status, Buffer.from(await res.arrayBuffer()));
      const ok = await fetch(`${site.base}/public.txt`);
      assert.equal(await ok.text(), "public");
    });
  });

  describe("symlinks", () => {
    it("follows symlinks that stay inside the root", async () => {
      for (const [target, body] of [
        ["/link-in.txt", "public"],
        ["/link-in-dir/a.txt", "sub a"],
      ] as const) {
        const { response } = await rawRequest(site.port, target);
        assert.equal(response.status, 200, target);
        assert.equal(response.text, body, target);
      }
    });

    it("loops and broken links give 404 or 403, and the listing still works", async () => {
      for (const target of ["/loop-a", "/loop-b/x", "/self", "/self/", "/broken", "/broken/"]) {
        const { response } = await rawRequest(site.port, target);
        assertRefused(target, response.status, response.body);
      }
      for (const accept of ["text/html", "application/json"]) {
        const { response } = await rawRequest(site.port, "/", { headers: { accept } });
        assert.equal(response.status, 200, `listing a directory holding loops (${accept})`);
        assert.ok(response.text.includes("public.txt"));
      }
    });

    it("a file with a trailing slash is not found", async () => {
      for (const target of ["/public.txt/", "/public.txt/x", "/sub/a.txt/"]) {
        const { response } = await rawRequest(site.port, target);
        assertRefused(target, response.status, response.body);
      }
    });

    const outside = ["/link-out.txt", "/link-out-abs.txt", "/link-out-dir/secret3.txt", "/link-out-dir/", "/chain.txt", "/sub/up.txt", "/link-sibling/s.txt", "/link-sibling/"];
    it("refuses symlinks that leave the root, by default", async () => {
      for (const target of outside) {
        const { response } = await rawRequest(site.port, target, { headers: { accept: "text/html" } });
        assertRefused(target, response.status, response.body, [...FORBIDDEN, "secret3.txt", "s.txt"]);
      }
    });

    it("follows them with followSymlinks: true", async () => {
      const follow = await startStatic({ root: tree.root, followSymlinks: true });
      try {
        for (const [target, body] of [
          ["/link-out.txt", SECRET],
          ["/link-out-abs.txt", SECRET],
          ["/chain.txt", SECRET],
          ["/link-out-dir/secret3.txt", OUTSIDE_SECRET],
          ["/link-sibling/s.txt", SIBLING_SECRET],
        ] as const) {
          const { response } = await rawRequest(follow.port, target);
          assert.equal(response.status, 200, target);
          assert.equal(response.text, body, target);
        }
        // Traversal is still refused: followSymlinks trusts links, not request paths.
        const { response } = await rawRequest(follow.port, "/../secret.txt");
        assertRefused("/../secret.txt with followSymlinks", response.status, response.body);
      } finally {
        await follow.stop();
      }
    });

    it("works when the root itself is reached through a symlink", async () => {
      const rootLink = path.join(tree.base, "root-link");
      await symlink(tree.root, rootLink);
      const linked = await startStatic({ root: rootLink });
      try {
        for (const [target, body] of [
          ["/public.txt", "public"],
          ["/link-in.txt", "public"],
          ["/sub/a.txt", "sub a"],
        ] as const) {
          const { response } = await rawRequest(linked.port, target);
          assert.equal(response.status, 200, target);
          assert.equal(response.text, body, target);
        }
        const { response } = await rawRequest(linked.port, "/link-out.txt");
        assertRefused("/link-out.txt under a symlinked root", response.status, response.body);
      } finally {
        await linked.stop();
      }
    });

    it("accepts a relative root", async () => {
      const relative = await startStatic({ root: path.relative(process.cwd(), tree.root) });
      try {
        const { response } = await rawRequest(relative.port, "/public.txt");
        assert.equal(response.status, 200);
        assert.equal(response.text, "public");
        const out = await rawRequest(relative.port, "/../secret.txt");
        assertRefused("/../secret.txt under a relative root", out.response.status, out.response.body);
      } finally {
        await relative.stop();
      }
    });
  });

  describe("dotfiles", () => {
    const hidden = ["/.env", "/.git/config", "/.git/", "/.git", "/.hidden/file.txt", "/.hidden/", "/sub/.secret", "/%2eenv", "/%2Egit/config", "/sub/%2esecret"];

    it("gives 404 for dotfiles and dot-directories by default", async () => {
      for (const target of hidden) {
        const { response } = await rawRequest(site.port, target, { headers: { accept: "text/html" } });
        assert.equal(response.status, 404, target);
        assert.ok(!response.text.includes(DOT_SECRET), `${target} leaks a dotfile`);
      }
      // An encoded slash may be refused as a bad request instead.
      const { response } = await rawRequest(site.port, "/.git%2fconfig");
      assertRefused("/.git%2fconfig", response.status, response.body, [DOT_SECRET]);
    });

    it("does not list them, in HTML or JSON", async () => {
      const html = (await rawRequest(site.port, "/", { headers: { accept: "text/html" } })).response.text;
      assert.ok(anchorsOf(html).some((a) => a.text.includes("public.txt")), "the root listing lists public.txt");
      for (const name of [".env", ".git", ".hidden"]) assert.ok(!html.includes(name), `the listing shows ${name}`);
      const json = (await rawRequest(site.port, "/", { headers: { accept: "application/json" } })).response.text;
      const names = (JSON.parse(json) as Array<{ name: string }>).map((e) => e.name.replace(/\/$/, ""));
      assert.ok(names.includes("public.txt"));
      for (const name of [".env", ".git", ".hidden"]) assert.ok(!names.includes(name), `the JSON listing shows ${name}`);
      const sub = (await rawRequest(site.port, "/sub/", { headers: { accept: "application/json" } })).response.text;
      assert.ok(!sub.includes(".secret"));
    });

    it("serves and lists them with dotfiles: true", async () => {
      const dots = await startStatic({ root: tree.root, dotfiles: true });
      try {
        for (const target of ["/.env", "/.git/config", "/.hidden/file.txt", "/sub/.secret"]) {
          const { response } = await rawRequest(dots.port, target);
          assert.equal(response.status, 200, target);
          assert.equal(response.text, DOT_SECRET, target);
        }
        const json = (await rawRequest(dots.port, "/", { headers: { accept: "application/json" } })).response.text;
        const names = (JSON.parse(json) as Array<{ name: string }>).map((e) => e.name.replace(/\/$/, ""));
        for (const name of [".env", ".git", ".hidden"]) assert.ok(names.includes(name), `the JSON listing lacks ${name}`);
        const { response } = await rawRequest(dots.port, "/../secret.txt");
        assertRefused("/../secret.txt with dotfiles", response.status, response.body);
      } finally {
        await dots.stop();
      }
    });
  });
});
