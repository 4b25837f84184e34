// HTTPS and WSS. One suite, two targets (as Hono's common.case.test.ts and Go's
// clientserver_test.go): the same engine cases run over plain TCP and over TLS, with real clients
// (node:http/node:https, the `ws` package) and raw sockets. Then what only TLS has: ALPN, plain
// HTTP sent to the TLS port, reloadTLS, and the CLI's --tls-cert/--tls-key with SIGHUP.
// The certificates are made with openssl in a temporary directory.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { OpsClient, connectSocket, type Endpoint } from "../support/ops-client.js";
import { startOpsCli } from "../support/ops-cli.js";
import { runCli } from "../support/static-cli.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { deferred, startServer, within, type Deferred, type Server } from "../support/server.js";
import { WsPeer } from "../support/ws-peer.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-tls-"));
let first: Cert;
let second: Cert;

before(() => {
  first = makeCert(dir, "first", "sockserve-first");
  second = makeCert(dir, "second", "sockserve-second");
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reply is what node:http(s) gave back. */
interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remotePort: number;
  localPort: number;
}

/** request sends one request with node:http or node:https; `body` as an array is sent chunked, one write each. */
function request(endpoint: Endpoint, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer | Buffer[]; agent?: http.Agent }): Promise<Reply> {
  const secure = endpoint.tls !== undefined;
  const mod = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: "127.0.0.1",
        port: endpoint.port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: options.agent ?? false,
        ...(secure ? { ca: endpoint.tls!.ca, servername: "localhost" } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const { remotePort, localPort } = res.socket;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), remotePort: remotePort!, localPort: localPort! }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (Array.isArray(options.body)) {
      for (const part of options.body) req.write(part);
      req.end();
    } else req.end(options.body);
  });
}

/** peerCN opens a TLS connection and returns the CN of the certificate the server presented. */
async function peerCN(port: number, ca: string | string[]): Promise<string> {
  const socket = tls.connect({ port, host: "127.0.0.1", servername: "localhost", ca });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
    });
    return String(socket.getPeerCertificate().subject.CN);
  } finally {
    socket.destroy();
  }
}

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

for (const kind of ["tcp", "tls"] as const) {
  describe(`engine cases over ${kind}`, () => {
    let server: Server;
    let endpoint: Endpoint;
    let streamGate: Deferred<void> | undefined;

    before(async () => {
      server = await startServer({
        ...(kind === "tls" ? { tls: { cert: first.cert, key: first.key } } : {}),
        async fetch(req, srv) {
          const url = new URL(req.url);
          switch (url.pathname) {
            case "/hello":
              return new Response(`hello over ${url.protocol}`, { headers: { "x-scheme": url.protocol } });
            case "/echo": {
              const body = Buffer.from(await req.arrayBuffer());
              return new Response(body, { headers: { "content-type": req.headers.get("content-type") ?? "application/octet-stream" } });
            }
            case "/digest": {
              const body = Buffer.from(await req.arrayBuffer());
              return Response.json({ length: body.length, sha256: sha256(body), te: req.headers.get("transfer-encoding") });
            }
            case "/peer":
              return new Response(String(srv.requestIP(req)?.port));
            case "/stream": {
              const gate = streamGate!;
              const encoder = new TextEncoder();
              let step = 0;
              return new Response(
                new ReadableStream<Uint8Array>({
                  async pull(controller) {
                    step++;
                    if (step === 1) controller.enqueue(encoder.encode("first part;"));
                    else if (step === 2) {
                      await gate.promise;
                      controller.enqueue(encoder.encode("second part"));
                    } else controller.close();
                  },
                }),
              );
            }
            case "/ws":
              if (srv.upgrade(req, { data: null })) return;
              return new Response("expected a WebSocket", { status: 426 });
            default:
              return new Response("not found", { status: 404 });
          }
        },
        websocket: {
          message(ws, message) {
            ws.send(typeof message === "string" ? `echo:${message}` : message);
          },
        },
      });
      endpoint = kind === "tls" ? { port: server.port, tls: { ca: first.cert } } : { port: server.port };
    });
    after(async () => {
      await within(server.stop(true), 5000, "server.stop(true)");
    });

    it("server.url has the right scheme", () => {
      assert.equal(server.url.protocol, kind === "tls" ? "https:" : "http:");
    });

    it("GET: a real client gets the body, and the handler sees the right scheme in request.url", async () => {
      const reply = await request(endpoint, { path: "/hello" });
      assert.equal(reply.status, 200);
      const scheme = kind === "tls" ? "https:" : "http:";
      assert.equal(reply.body.toString(), `hello over ${scheme}`);
      assert.equal(reply.headers["x-scheme"], scheme);
      assert.equal(reply.headers["content-length"], String(`hello over ${scheme}`.length));
    });

    it("POST: a 256 KiB body is echoed byte for byte", async () => {
      const body = randomBytes(256 * 1024);
      const reply = await request(endpoint, { method: "POST", path: "/echo", body, headers: { "content-type": "application/x-test", "content-length": String(body.length) } });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers["content-type"], "application/x-test");
      assert.ok(reply.body.equals(body), `echo differs: ${reply.body.length} bytes back`);
    });

    it("a chunked upload arrives whole (Transfer-Encoding: chunked, 40 writes)", async () => {
      const parts = Array.from({ length: 40 }, (_, i) => randomBytes(1000 + i * 97));
      const reply = await request(endpoint, { method: "PUT", path: "/digest", body: parts });
      assert.equal(reply.status, 200);
      const got = JSON.parse(reply.body.toString()) as { length: number; sha256: string; te: string | null };
      const all = Buffer.concat(parts);
      assert.equal(got.te, "chunked");
      assert.equal(got.length, all.length);
      assert.equal(got.sha256, sha256(all));
    });

    it("keep-alive: a client's agent reuses one connection for several requests", async () => {
      const agent = kind === "tls" ? new https.Agent({ keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const ports = [];
        for (let i = 0; i < 4; i++) {
          const reply = await request(endpoint, { path: "/peer", agent });
          assert.equal(reply.status, 200);
          assert.equal(reply.body.toString(), String(reply.localPort), "the server saw the client's port");
          ports.push(reply.localPort);
        }
        assert.equal(new Set(ports).size, 1, `one connection for all four requests, got ports ${ports.join(",")}`);
      } finally {
        agent.destroy();
      }
    });

    it("pipelining: three requests in one write are answered in order on one connection", async () => {
      const client = await OpsClient.connect(endpoint);
      try {
        await client.write(
          "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde" +
            "GET /peer HTTP/1.1\r\nHost: a\r\n\r\n",
        );
        const responses = await client.waitForResponses(3);
        assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
        assert.match(responses[0].text, /^hello over https?:$/);
        assert.equal(responses[1].text, "abcde");
        assert.equal(responses[2].text, String(client.socket.localPort));
        assert.equal(client.ended, false, "the connection stays open");
      } finally {
        client.destroy();
      }
    });

    it("HEAD: the GET's headers, no body, and the connection stays usable", async () => {
      const client = await OpsClient.connect(endpoint);
      try {
        await client.write("HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
        const [head, get] = await client.waitForResponses(2, { methods: ["HEAD", "GET"] });
        assert.equal(head.status, 200);
        assert.equal(head.body.length, 0);
        assert.equal(head.get("content-length"), get.get("content-length"));
        assert.match(get.text, /^hello over/);
      } finally {
        client.destroy();
      }
    });

    it("a malformed request gets 400 and the connection closes", async () => {
      const client = await OpsClient.connect(endpoint);
      try {
        await client.write("GET /hello HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        const [response] = await client.waitForResponses(1);
        assert.equal(response.status, 400);
        assert.match(response.text, /400 Bad Request/);
        assert.ok(await client.waitForClose(), "the server closes after a 400");
      } finally {
        client.destroy();
      }
    });

    it("Expect: 100-continue: 100 first, then the final answer to the body", async () => {
      const client = await OpsClient.connect(endpoint);
      try {
        await client.write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n");
        assert.ok(await client.until(() => client.text.includes("\r\n\r\n")), "an interim answer");
        assert.ok(client.text.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), `got ${JSON.stringify(client.text)}`);
        await client.write("payload");
        const [response] = await client.waitForResponses(1);
        assert.equal(response.status, 200);
        assert.equal(response.text, "payload");
      } finally {
        client.destroy();
      }
    });

    it("a streamed response flushes each part as it is produced (chunked)", async () => {
      streamGate = deferred();
      const client = await OpsClient.connect(endpoint);
      try {
        await client.write("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
        // The second part waits for the gate: the first must already have reached the client.
        assert.ok(await client.until(() => client.text.includes("first part;")), `first part not flushed: ${JSON.stringify(client.text)}`);
        assert.ok(!client.text.includes("second part"));
        streamGate.resolve();
        const [response] = await client.waitForResponses(1);
        assert.equal(response.status, 200);
        assert.equal(response.chunked, true);
        assert.equal(response.text, "first part;second part");
      } finally {
        streamGate = undefined;
        client.destroy();
      }
    });

    it("drain(500) is not held up by a connection that never sent a byte", async () => {
      const own = await startServer({
        ...(kind === "tls" ? { tls: { cert: first.cert, key: first.key } } : {}),
        limits: { headerTimeout: 10_000, tlsHandshakeTimeout: 10_000 },
        fetch: () => new Response("x"),
      });
      const silent = await OpsClient.connect({ port: own.port });
      try {
        await new Promise((r) => setTimeout(r, 100));
        await within(own.drain(500), 3000, `drain(500) with a silent ${kind} connection (headerTimeout and tlsHandshakeTimeout are 10 s)`);
        assert.ok(await silent.waitForClose(1000), "the silent connection was closed");
      } finally {
        silent.destroy();
        await within(own.stop(true), 15_000, "stop(true)");
      }
    });

    it(`WebSocket echo (${kind === "tls" ? "wss" : "ws"}) with the ws client`, async () => {
      const scheme = kind === "tls" ? "wss" : "ws";
      const peer = await WsPeer.connect(`${scheme}://127.0.0.1:${server.port}/ws`, kind === "tls" ? { ca: first.cert, servername: "localhost" } : {});
      try {
        peer.ws.send("hi there");
        const binary = randomBytes(70_000);
        peer.ws.send(binary);
        await peer.until(() => peer.messages.length >= 2, "two echoes");
        assert.equal(peer.messages[0].text, "echo:hi there");
        assert.equal(peer.messages[1].binary, true);
        assert.ok(peer.messages[1].data.equals(binary));
      } finally {
        peer.ws.terminate();
      }
    });
  });
}

describe("TLS specifics", () => {
  let server: Server;
  const port = (): number => server.port;

  before(async () => {
    server = await startServer({
      tls: { cert: first.cert, key: first.key },
      limits: { headerTimeout: 1000, tlsHandshakeTimeout: 1000 },
      fetch: (req) => new Response(`ok ${new URL(req.url).protocol}`),
    });
  });
  after(async () => {
    await within(server.stop(true), 5000, "server.stop(true)");
  });

  it("ALPN: a client offering h2 and http/1.1 gets h2 (HTTP/2 is on with TLS)", async () => {
    const socket = await connectSocket({ port: port(), tls: { ca: first.cert, ALPNProtocols: ["h2", "http/1.1"] } });
    try {
      assert.equal((socket as tls.TLSSocket).alpnProtocol, "h2");
    } finally {
      socket.destroy();
    }
  });

  it("a client that offers no ALPN still gets served", async () => {
    const client = await OpsClient.connect({ port: port(), tls: { ca: first.cert } });
    try {
      assert.equal((client.socket as tls.TLSSocket).alpnProtocol, false);
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.text, "ok https:");
    } finally {
      client.destroy();
    }
  });

  it("TLS 1.1 is refused (minimum TLS 1.2), though this client can speak it", async () => {
    const client = (p: number): Promise<string> => {
      const socket = tls.connect({ port: p, host: "127.0.0.1", servername: "localhost", ca: first.cert, maxVersion: "TLSv1.1", minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" });
      return new Promise<string>((resolve) => {
        socket.once("secureConnect", () => resolve(`connected with ${socket.getProtocol()}`));
        socket.once("error", (err) => resolve(`error: ${err.message}`));
      }).finally(() => socket.destroy());
    };
    // The control: a node:tls server that allows TLS 1.1 accepts this client.
    const permissive = tls.createServer({ cert: first.cert, key: first.key, minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" }, (s) => s.end());
    await new Promise<void>((resolve) => permissive.listen(0, "127.0.0.1", resolve));
    try {
      assert.equal(await client((permissive.address() as net.AddressInfo).port), "connected with TLSv1.1");
    } finally {
      permissive.close();
    }
    assert.match(await client(port()), /^error/);
  });

  it("plain HTTP sent to the TLS port gets 400 and the connection closes", async () => {
    const client = await OpsClient.connect({ port: port() });
    try {
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      const [response] = await client.waitForResponses(1);
      assert.equal(response.status, 400);
      assert.equal(response.get("connection"), "close");
      assert.match(response.text, /HTTPS/);
      assert.ok(await client.waitForClose(), "closed after the 400");
    } finally {
      client.destroy();
    }
  });

  it("a connection that never starts its handshake is closed after tlsHandshakeTimeout", async () => {
    const client = await OpsClient.connect({ port: port() });
    try {
      assert.ok(await client.waitForClose(5000), "a silent connection must not stay open");
      assert.equal(client.data.length, 0);
    } finally {
      client.destroy();
    }
  });

  it("a handshake that stalls half way is closed after tlsHandshakeTimeout", async () => {
    const client = await OpsClient.connect({ port: port() });
    try {
      // A TLS handshake record header announcing 512 bytes, then nothing.
      await client.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
      assert.ok(await client.waitForClose(5000), "a stalled handshake must not hold the connection");
    } finally {
      client.destroy();
    }
  });

  it("clients that leave during the handshake do not hold up a graceful stop", async () => {
    // The handshake timeout is long here, so only a prompt cleanup passes.
    const slow = await startServer({ tls: { cert: first.cert, key: first.key }, limits: { tlsHandshakeTimeout: 10_000 }, fetch: () => new Response("x") });
    try {
      // One leaves right after its handshake completed on its side, one after half a ClientHello (FIN),
      // one is refused by the client (unknown CA) and aborted.
      const quick = tls.connect({ port: slow.port, host: "127.0.0.1", servername: "localhost", ca: first.cert });
      await new Promise<void>((resolve, reject) => (quick.once("secureConnect", resolve), quick.once("error", reject)));
      quick.destroy();
      const half = await OpsClient.connect({ port: slow.port });
      await half.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
      half.socket.end();
      await assert.rejects(connectSocket({ port: slow.port, tls: { ca: second.cert } }));
      await new Promise((r) => setTimeout(r, 200));
      await within(slow.stop(), 3000, "graceful stop with three abandoned handshakes (they are gone: nothing to wait for)");
      half.destroy();
    } finally {
      await within(slow.stop(true), 15_000, "stop(true)");
    }
  });

  it("reloadTLS: new connections get the new certificate; an open one keeps working", async () => {
    const both = [first.cert, second.cert];
    assert.equal(await peerCN(port(), both), "sockserve-first");
    const old = await OpsClient.connect({ port: port(), tls: { ca: first.cert } });
    try {
      server.reloadTLS({ cert: second.cert, key: second.key });
      assert.equal(await peerCN(port(), both), "sockserve-second");
      // The new certificate really is what verifies now: the old CA alone no longer does.
      await assert.rejects(connectSocket({ port: port(), tls: { ca: first.cert } }), /self[- ]signed|unable to verify|certificate/i);
      await old.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      const [response] = await old.waitForResponses(1);
      assert.equal(response.text, "ok https:");
      assert.equal(String((old.socket as tls.TLSSocket).getPeerCertificate().subject.CN), "sockserve-first");
    } finally {
      old.destroy();
      server.reloadTLS({ cert: first.cert, key: first.key });
    }
  });

  it("reloadTLS with a key that does not match the certificate throws and keeps the old one", async () => {
    assert.throws(() => server.reloadTLS({ cert: second.cert, key: first.key }));
    assert.equal(await peerCN(port(), [first.cert, second.cert]), "sockserve-first");
  });

  it("reloadTLS on a server without tls throws", async () => {
    const plain = await startServer({ fetch: () => new Response("x") });
    try {
      assert.throws(() => plain.reloadTLS({ cert: first.cert, key: first.key }), /without tls/);
    } finally {
      await plain.stop(true);
    }
  });
});

describe("CLI: --tls-cert and --tls-key", () => {
  it("serves HTTPS, and SIGHUP reloads the certificate files for new connections", async () => {
    const served = mkdtempSync(path.join(tmpdir(), "sockserve-tls-cli-"));
    writeFileSync(path.join(served, "index.html"), "<h1>tls</h1>\n");
    const certFile = path.join(served, "..", `${path.basename(served)}.crt`);
    const keyFile = path.join(served, "..", `${path.basename(served)}.key`);
    copyFileSync(first.certFile, certFile);
    copyFileSync(first.keyFile, keyFile);
    const { cli, url, port } = await startOpsCli([served, "--port", "0", "--quiet", "--drain-timeout", "2", "--tls-cert", certFile, "--tls-key", keyFile]);
    try {
      assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const reply = await request({ port, tls: { ca: first.cert } }, { path: "/" });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), "<h1>tls</h1>\n");
      assert.equal(await peerCN(port, [first.cert, second.cert]), "sockserve-first");

      copyFileSync(second.certFile, certFile);
      copyFileSync(second.keyFile, keyFile);
      cli.signal("SIGHUP");
      assert.ok(await cli.until(() => cli.stderr.includes("TLS certificate reloaded"), 5000), `no reload message; stderr: ${cli.stderr}`);
      assert.equal(await peerCN(port, [first.cert, second.cert]), "sockserve-second");
      const again = await request({ port, tls: { ca: second.cert } }, { path: "/" });
      assert.equal(again.status, 200);
      assert.ok(cli.running, "SIGHUP must not stop the server");

      // Plain HTTP to the CLI's TLS port: the same clear 400.
      const plain = await new Promise<string>((resolve, reject) => {
        const s = net.connect({ port, host: "127.0.0.1" }, () => s.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        let text = "";
        s.on("data", (c: Buffer) => (text += c.toString("latin1")));
        s.on("close", () => resolve(text));
        s.on("error", reject);
      });
      assert.match(plain, /^HTTP\/1\.1 400 /);

      // SIGTERM: a graceful stop, bounded by --drain-timeout 2; the grace before SIGKILL is 8 s.
      const exit = await cli.stop(8000);
      assert.equal(exit.code, 0, `exit ${exit.code} ${exit.signal} (graceful stop must end within the drain timeout); stderr: ${cli.stderr}`);
    } finally {
      await cli.stop(1000);
      rmSync(served, { recursive: true, force: true });
      rmSync(certFile, { force: true });
      rmSync(keyFile, { force: true });
    }
  });

  it("refuses --tls-cert without --tls-key, and unreadable files, with exit 2", async () => {
    const alone = await runCli([dir, "--port", "0", "--tls-cert", first.certFile], { dist: true });
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--tls-cert and --tls-key go together/);
    const missing = await runCli([dir, "--port", "0", "--tls-cert", path.join(dir, "nope.crt"), "--tls-key", first.keyFile], { dist: true });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.crt: no such file/);
  });

});
