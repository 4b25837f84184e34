// git's own smart-HTTP server (`git http-backend`, a CGI program) behind cgi(): clone over
// protocol v0 and v2, a shallow clone, and a push of a 5 MB random file that git sends as a
// chunked POST (http.postBuffer=64 KiB). The bare repository and a fresh clone must agree.
// Its status-only answers (a Status, no Content-Type, no body) reach git as 404 and 403.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { makeCgiTree, startCgi, type CgiServer, type CgiTree } from "../support/cgi-fixture.js";
import { RawClient } from "../support/raw.js";

interface GitResult {
  stdout: string;
  stderr: string;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("git http-backend behind cgi()", () => {
  let tree: CgiTree;
  let site: CgiServer;
  let home: string;
  let repoUrl: string;

  /** git runs git without a shell, with a private HOME and no system config, bounded in time. */
  const git = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> =>
    new Promise((resolve, reject) => {
      const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", ...options.env };
      execFile("git", ["-c", "user.email=test@example.com", "-c", "user.name=Sockserve Test", "-c", "init.defaultBranch=main", ...args], { cwd: options.cwd ?? tree.base, env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`git ${args.join(" ")} failed: ${error.message}\n${stderr}\nserver log:\n${site?.logs.join("\n")}`));
        else resolve({ stdout, stderr });
      });
    });

  before(async () => {
    tree = await makeCgiTree((file) => ({
      "cgi-bin/git.cgi": [
        "#!/bin/sh",
        `export GIT_PROJECT_ROOT='${file("repos")}'`,
        "export GIT_HTTP_EXPORT_ALL=1",
        "export GIT_CONFIG_NOSYSTEM=1",
        "exec git http-backend",
        "",
      ].join("\n"),
    }));
    home = tree.file("home");
    await mkdir(home, { recursive: true });
    // A bare repository with three commits, pushable over HTTP.
    const bare = tree.file("repos/repo.git");
    await git(["init", "--bare", "--quiet", bare]);
    await git(["-C", bare, "config", "http.receivepack", "true"]);
    const seed = tree.file("seed");
    await git(["init", "--quiet", seed]);
    for (let i = 1; i <= 3; i++) {
      await writeFile(path.join(seed, "README.md"), `# repo\n\nrevision ${i}\n`);
      await git(["-C", seed, "add", "README.md"]);
      await git(["-C", seed, "commit", "--quiet", "-m", `revision ${i}`]);
    }
    await git(["-C", seed, "push", "--quiet", bare, "main"]);
    await git(["init", "--bare", "--quiet", tree.file("repos/readonly.git")]);
    await git(["-C", tree.file("repos/readonly.git"), "config", "http.receivepack", "false"]);
    site = await startCgi({ dir: tree.dir, timeout: 60 });
    repoUrl = `${site.origin}/cgi-bin/git.cgi/repo.git`;
  });
  after(async () => {
    await site?.stop();
    await tree?.remove();
  });

  it("git clone (the client's default protocol)", async () => {
    const dest = tree.file("clone-default");
    await git(["clone", "--quiet", repoUrl, dest]);
    assert.equal(await readFile(path.join(dest, "README.md"), "utf8"), "# repo\n\nrevision 3\n");
    assert.equal((await git(["-C", dest, "rev-list", "--count", "HEAD"])).stdout.trim(), "3");
  });

  it("git clone over protocol v0 (stateless smart HTTP)", async () => {
    const dest = tree.file("clone-v0");
    const { stderr } = await git(["-c", "protocol.version=0", "clone", "--quiet", repoUrl, dest], { env: { GIT_TRACE_PACKET: "1" } });
    assert.ok(!/git< version 2/.test(stderr), "protocol v2 was used although v0 was asked for");
    assert.equal((await git(["-C", dest, "rev-list", "--count", "HEAD"])).stdout.trim(), "3");
  });

  it("git clone over protocol v2 (the Git-Protocol header reaches the backend)", async () => {
    const dest = tree.file("clone-v2");
    const { stderr } = await git(["-c", "protocol.version=2", "clone", "--quiet", repoUrl, dest], { env: { GIT_TRACE_PACKET: "1" } });
    assert.match(stderr, /git< version 2/, "the server did not answer in protocol v2");
    assert.equal(await readFile(path.join(dest, "README.md"), "utf8"), "# repo\n\nrevision 3\n");
  });

  it("a shallow clone (--depth 1)", async () => {
    const dest = tree.file("clone-shallow");
    await git(["clone", "--quiet", "--depth", "1", repoUrl, dest]);
    assert.equal((await git(["-C", dest, "rev-list", "--count", "HEAD"])).stdout.trim(), "1");
    assert.ok(existsSync(path.join(dest, ".git", "shallow")), "no .git/shallow: the clone is not shallow");
    assert.equal(await readFile(path.join(dest, "README.md"), "utf8"), "# repo\n\nrevision 3\n");
  });

  /** twoOnOneConnection sends `first` and then a clone's first request on one keep-alive connection. */
  const twoOnOneConnection = async (first: string) => {
    const client = await RawClient.connect(site.port);
    try {
      const request = (target: string) => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nGit-Protocol: version=2\r\n\r\n`;
      await client.write(request(first));
      const [answer] = await client.waitForResponses(1, { timeoutMs: 20_000 });
      await client.write(request("/cgi-bin/git.cgi/repo.git/info/refs?service=git-upload-pack"));
      const [, next] = await client.waitForResponses(2, { timeoutMs: 20_000 });
      return { answer: answer, next: next, ended: client.ended };
    } finally {
      client.destroy();
    }
  };

  it("cloning a missing repository gets 404, and the connection goes on", async () => {
    const { answer, next, ended } = await twoOnOneConnection("/cgi-bin/git.cgi/missing.git/info/refs?service=git-upload-pack");
    assert.equal(answer.status, 404);
    assert.equal(answer.get("content-length"), "0");
    assert.equal(answer.get("cache-control"), "no-cache, max-age=0, must-revalidate");
    assert.equal(next.status, 200);
    assert.equal(next.get("content-type"), "application/x-git-upload-pack-advertisement");
    assert.equal(ended, false);
    await assert.rejects(git(["clone", "--quiet", `${site.origin}/cgi-bin/git.cgi/missing.git`, tree.file("clone-missing")]), /returned error: 404|not found/i);
  });

  it("a push with http.receivepack off gets 403, and the connection goes on", async () => {
    const { answer, next, ended } = await twoOnOneConnection("/cgi-bin/git.cgi/readonly.git/info/refs?service=git-receive-pack");
    assert.equal(answer.status, 403);
    assert.equal(answer.get("content-length"), "0");
    assert.equal(next.status, 200);
    assert.equal(ended, false);
    const work = tree.file("clone-readonly");
    await git(["clone", "--quiet", `${site.origin}/cgi-bin/git.cgi/readonly.git`, work]);
    await writeFile(path.join(work, "a.txt"), "a\n");
    await git(["-C", work, "add", "a.txt"]);
    await git(["-C", work, "commit", "--quiet", "-m", "a"]);
    await assert.rejects(git(["-C", work, "push", "origin", "HEAD:main"]), /returned error: 403/);
    assert.equal(site.logs.filter((line) => /bad output|502/.test(line)).length, 0, site.logs.join("\n"));
  });

  it("git push of a 5 MB random file as a chunked POST; the bare repo and a fresh clone agree", async () => {
    const work = tree.file("clone-push");
    await git(["clone", "--quiet", repoUrl, work]);
    const blob = randomBytes(5 * 1024 * 1024);
    await writeFile(path.join(work, "random.bin"), blob);
    await git(["-C", work, "add", "random.bin"]);
    await git(["-C", work, "commit", "--quiet", "-m", "add 5 MB of random bytes"]);
    const commit = (await git(["-C", work, "rev-parse", "HEAD"])).stdout.trim();

    const { stderr } = await git(["-C", work, "-c", "http.postBuffer=65536", "push", "origin", "main"], { env: { GIT_TRACE_CURL: "1", GIT_TRACE_CURL_NO_DATA: "1" } });
    assert.match(stderr, /Send header: Transfer-Encoding: chunked/i, "git did not send the pack chunked");
    assert.match(stderr, /Send header: POST \/cgi-bin\/git\.cgi\/repo\.git\/git-receive-pack/);

    const bare = tree.file("repos/repo.git");
    assert.equal((await git(["-C", bare, "log", "-1", "--format=%H", "main"])).stdout.trim(), commit);
    assert.equal((await git(["-C", bare, "log", "-1", "--format=%s", "main"])).stdout.trim(), "add 5 MB of random bytes");
    await git(["-C", bare, "fsck", "--no-progress"]);

    const fresh = tree.file("clone-after-push");
    await git(["clone", "--quiet", repoUrl, fresh]);
    assert.equal((await git(["-C", fresh, "rev-parse", "HEAD"])).stdout.trim(), commit);
    assert.equal(sha256(await readFile(path.join(fresh, "random.bin"))), sha256(blob));
  });
});
