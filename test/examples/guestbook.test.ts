// examples/cgi-bin/guestbook.py through cgi() (programmatic, GUESTBOOK_DB in a temp dir): a POST
// with markup gets 303 back to the page, the page shows the entry escaped, and bad forms are refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { startCgi, type CgiServer } from "../support/cgi-fixture.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("examples/cgi-bin/guestbook.py", () => {
  let site: CgiServer;
  let temp: string;
  let page: string;
  const saved = process.env.GUESTBOOK_DB;

  before(async () => {
    temp = await mkdtemp(path.join(tmpdir(), "sockserve-guestbook-"));
    process.env.GUESTBOOK_DB = path.join(temp, "guestbook.sqlite3");
    site = await startCgi({ dir: path.join(REPO, "examples/cgi-bin"), env: ["GUESTBOOK_DB"], timeout: 20 });
    page = `${site.origin}/cgi-bin/guestbook.py`;
  });
  after(async () => {
    await site?.stop();
    if (saved === undefined) delete process.env.GUESTBOOK_DB;
    else process.env.GUESTBOOK_DB = saved;
    await rm(temp, { recursive: true, force: true });
  });

  it("GET shows an empty guestbook and a form that posts back to the script", async () => {
    const res = await fetch(page);
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const html = await res.text();
    assert.match(html, /<form method="post" action="\/cgi-bin\/guestbook\.py">/);
    assert.match(html, /No entries yet/);
  });

  it("POST with <script> redirects 303 to the page, which shows the entry escaped", async () => {
    const name = `Mallory <script>alert("x")</script> & co`;
    const message = `hi <img src=x onerror=alert(1)>\n"quoted" 'single' ünïcödé`;
    const res = await fetch(page, { method: "POST", headers: FORM, body: new URLSearchParams({ name, message }), redirect: "manual" });
    assert.equal(res.status, 303);
    assert.equal(res.statusText, "See Other");
    const location = res.headers.get("location");
    assert.ok(location !== null, "no Location");
    assert.equal(new URL(location).href, new URL(page).href, "the 303 does not lead back to the page");
    await res.arrayBuffer();

    const html = await (await fetch(location)).text();
    assert.ok(!html.includes("<script>alert"), "the name was not escaped");
    assert.ok(!html.includes("<img src=x"), "the message was not escaped");
    assert.ok(html.includes("Mallory &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"), html);
    assert.ok(html.includes("hi &lt;img src=x onerror=alert(1)&gt;\n&quot;quoted&quot; &#x27;single&#x27; ünïcödé"), html);
    assert.ok(!html.includes("No entries yet"));
  });

  it("fetch following the redirect ends on the page with a GET, newest entry first", async () => {
    const res = await fetch(page, { method: "POST", headers: FORM, body: new URLSearchParams({ name: "Second", message: "second entry" }) });
    assert.equal(res.status, 200);
    assert.equal(res.redirected, true);
    const html = await res.text();
    const second = html.indexOf("second entry");
    const first = html.indexOf("Mallory &lt;script&gt;");
    assert.ok(second !== -1 && first !== -1 && second < first, "entries are not newest first");
  });

  it("curl -L follows the 303 as a GET", async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile("curl", ["--silent", "--show-error", "--max-time", "20", "-L", "-w", "\\n%{http_code} %{num_redirects}", "--data-urlencode", "name=Curl", "--data-urlencode", "message=via curl & co", page], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
    assert.match(out, /\n200 1$/);
    assert.ok(out.includes("via curl &amp; co"));
  });

  it("entries live in GUESTBOOK_DB", async () => {
    const rows = await new Promise<string>((resolve, reject) =>
      execFile("/usr/bin/python3", ["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from entries').fetchone()[0])", process.env.GUESTBOOK_DB!], (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout.trim()))),
    );
    assert.equal(rows, "3");
  });

  it("refuses empty, over-long and wrongly typed forms without storing them", async () => {
    const cases: Array<[string, RequestInit, number]> = [
      ["an empty message", { headers: FORM, body: "name=x&message=" }, 400],
      ["no fields", { headers: FORM, body: "" }, 400],
      ["a name over 80 characters", { headers: FORM, body: new URLSearchParams({ name: "n".repeat(81), message: "m" }) }, 400],
      ["a message over 2000 characters", { headers: FORM, body: new URLSearchParams({ name: "n", message: "m".repeat(2001) }) }, 400],
      ["a body over 16 KiB", { headers: FORM, body: `name=n&message=${"m".repeat(17 * 1024)}` }, 413],
      ["JSON", { headers: { "content-type": "application/json" }, body: '{"name":"n","message":"m"}' }, 415],
    ];
    for (const [label, init, status] of cases) {
      const res = await fetch(page, { method: "POST", redirect: "manual", ...init });
      assert.equal(res.status, status, label);
      await res.arrayBuffer();
    }
    const html = await (await fetch(page)).text();
    assert.equal((html.match(/<li><p class="meta">/g) ?? []).length, 3, "a refused form was stored");
  });
});
