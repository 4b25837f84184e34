// CGI over HTTP/2 (h2c): scripts see SERVER_PROTOCOL=HTTP/2, and NPH scripts, which write
// HTTP/1.1 bytes themselves, get a clear 502 (the engine cannot lend an HTTP/2 stream's socket).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { cgi } from "../../src/index.js";
import { makeCgiTree, type CgiTree } from "../support/cgi-fixture.js";
import { startServer, type Server } from "../support/server.js";

function curlH2(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("curl", ["-s", "-i", "--max-time", "10", "--http2-prior-knowledge", url], (error, stdout) => (error !== null ? reject(error) : resolve(stdout)));
  });
}

describe("CGI over HTTP/2", () => {
  let tree: CgiTree;
  let server: Server;

  before(async () => {
    tree = await makeCgiTree({
      "cgi-bin/proto.sh": "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\necho \"$SERVER_PROTOCOL\"\n",
      "cgi-bin/nph-hello.sh": "#!/bin/sh\nprintf 'HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nnph'\n",
    });
    const handler = cgi({ dir: tree.dir, mount: "/cgi-bin" });
    server = await startServer({ http2: true, fetch: (req, srv) => handler(req, srv) });
  });
  after(async () => {
    await server?.stop(true);
    await tree?.remove();
  });

  it("passes SERVER_PROTOCOL=HTTP/2", async () => {
    const out = await curlH2(`http://127.0.0.1:${server.port}/cgi-bin/proto.sh`);
    assert.match(out, /^HTTP\/2 200/);
    assert.match(out, /\r\n\r\nHTTP\/2\n$/);
  });

  it("answers an NPH script with 502 over HTTP/2", async () => {
    const out = await curlH2(`http://127.0.0.1:${server.port}/cgi-bin/nph-hello.sh`);
    assert.match(out, /^HTTP\/2 502/);
    assert.match(out, /NPH scripts write HTTP\/1\.1/);
  });
});
