// TLS for operators, through serve() and real clients (openssl s_client, Node's tls/https): SNI
// from a list of certificates, ALPN from the engines (no_application_protocol otherwise), safe
// reloads, the handshake limits (a flood of half ClientHellos), Node's native TLS path, and a single
// process rotating its own session ticket key (ticketKeyRotation).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { connectSocket, OpsClient } from "../support/ops-client.js";
import { makeCert, type Cert } from "../support/ops-tls.js";
import { sClient } from "../support/openssl-client.js";
import { startServer, within, type Server } from "../support/server.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-tls-ops-"));
let a: Cert;
let b: Cert;
let wild: Cert;
let server: Server;

before(async () => {
  a = makeCert(dir, "a", "a.test", ["a.test"]);
  b = makeCert(dir, "b", "b.test", ["b.test"]);
  wild = makeCert(dir, "wild", "wild.example.test");
  server = await startServer({
    tls: [
      { serverName: "a.test", cert: a.cert, key: a.key },
      { serverName: "b.test", cert: b.cert, key: b.key },
      { serverName: "*.example.test", cert: wild.cert, key: wild.key },
    ],
    fetch: (req) => new Response(`ok ${new URL(req.url).protocol}`),
  });
});
after(async () => {
  await within(server.stop(true), 5000, "stop(true)");
  rmSync(dir, { recursive: true, force: true });
});

describe("SNI", () => {
  const cases: [string[], string][] = [
    [["-servername", "a.test"], "CN = a.test"],
    [["-servername", "b.test"], "CN = b.test"],
    [["-servername", "B.TEST"], "CN = b.test"],
    [["-servername", "x.example.test"], "CN = wild.example.test"],
    [["-servername", "deep.x.example.test"], "CN = a.test"], // a wildcard covers one label only
    [["-servername", "unknown.test"], "CN = a.test"],
    [["-noservername"], "CN = a.test"],
  ];
  for (const [args, subject] of cases) {
    it(`openssl s_client ${args.join(" ")} gets ${subject}`, async () => {
      const out = await sClient(server.port, args);
      assert.equal(out.subject, subject, out.text);
    });
  }

  it("Node's https client verifies b.test's certificate by name and is served", async () => {
    const socket = await connectSocket({ port: server.port, tls: { ca: b.cert, servername: "b.test" } });
    try {
      assert.equal((socket as tls.TLSSocket).getPeerCertificate().subject.CN, "b.test");
    } finally {
      socket.destroy();
    }
  });

  it("reloadTLS takes the same list; a bad entry throws, names it, and changes nothing", async () => {
    assert.throws(() => server.reloadTLS([{ serverName: "a.test", cert: a.cert, key: a.key }, { serverName: "b.test", cert: b.cert, key: a.key }]), /b\.test/);
    assert.throws(() => server.reloadTLS({ cert: "not a certificate", key: a.key }), /tls/);
    assert.equal((await sClient(server.port, ["-servername", "b.test"])).subject, "CN = b.test");
    server.reloadTLS([{ serverName: "b.test", cert: b.cert, key: b.key }]);
    assert.equal((await sClient(server.port, ["-servername", "a.test"])).subject, "CN = b.test", "b.test is the only, so default, certificate now");
    server.reloadTLS([{ serverName: "a.test", cert: a.cert, key: a.key }, { serverName: "b.test", cert: b.cert, key: b.key }, { serverName: "*.example.test", cert: wild.cert, key: wild.key }]);
  });
});

describe("ALPN", () => {
  it("a client offering only protocols the engines do not speak gets no_application_protocol", async () => {
    const out = await sClient(server.port, ["-servername", "a.test", "-alpn", "foo,spdy/3"]);
    assert.match(out.text, /no application protocol/i);
    assert.doesNotMatch(out.text, /^subject=/m);
  });

  it("a client offering http/1.1 among others gets http/1.1; one offering none is served too", async () => {
    assert.match((await sClient(server.port, ["-alpn", "foo,http/1.1"])).text, /ALPN protocol: http\/1\.1/);
    const client = await OpsClient.connect({ port: server.port, tls: { ca: a.cert, servername: "a.test" } });
    try {
      assert.equal((client.socket as tls.TLSSocket).alpnProtocol, false);
      await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
      assert.equal((await client.waitForResponses(1))[0].text, "ok https:");
    } finally {
      client.destroy();
    }
  });
});

describe("native TLS", () => {
  it("the TLSSocket runs on the TCP socket's handle, with no JavaScript stream in between", async () => {
    const seen: string[] = [];
    const own = await startServer({ tls: { cert: a.cert, key: a.key }, fetch: () => new Response("x") });
    try {
      // The accepted TLSSocket's handle is a TLSWrap whose parent is the socket's TCP handle (a JS
      // Duplex under it would make Node insert a JSStreamSocket and a JSStream handle instead).
      const original = tls.TLSSocket.prototype.emit as (this: tls.TLSSocket, event: string, ...args: unknown[]) => boolean;
      tls.TLSSocket.prototype.emit = function (this: tls.TLSSocket & { _handle?: { _parent?: object } }, event: string, ...args: unknown[]) {
        if (event === "secure") seen.push(`${this._handle?.constructor.name}/${(this._handle?._parent ?? {}).constructor.name}`);
        return original.call(this, event, ...args);
      };
      try {
        const socket = await connectSocket({ port: own.port, tls: { ca: a.cert } });
        socket.destroy();
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        tls.TLSSocket.prototype.emit = original;
      }
      assert.deepEqual(seen, ["TLSWrap/TCP"]);
    } finally {
      await own.stop(true);
    }
  });
});

describe("handshake limits", () => {
  it("2,000 clients sending half a ClientHello do not starve a normal client (maxTlsHandshakes)", { timeout: 60_000 }, async () => {
    const own = await startServer({ tls: { cert: a.cert, key: a.key }, fetch: () => new Response("answered") });
    const floods: net.Socket[] = [];
    let closed = 0;
    try {
      // A handshake record header announcing 512 bytes and the first 5 of them, then silence.
      const half = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03]);
      await Promise.all(Array.from({ length: 2000 }, () => new Promise<void>((resolve) => {
        const s = net.connect({ port: own.port, host: "127.0.0.1" }, () => s.write(half, () => resolve()));
        s.on("error", () => resolve());
        s.on("close", () => closed++);
        floods.push(s);
      })));
      const client = await within(OpsClient.connect({ port: own.port, tls: { ca: a.cert } }), 10_000, "a normal client's handshake");
      try {
        await client.write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        const [response] = await client.waitForResponses(1, { timeoutMs: 10_000 });
        assert.equal(response.text, "answered");
      } finally {
        client.destroy();
      }
      // The default maxTlsHandshakes (1024) held: the oldest stalled handshakes were cut.
      assert.ok(await waitUntil(() => closed >= 2000 - 1024, 10_000), `only ${closed} of 2000 stalled handshakes were cut`);
    } finally {
      for (const s of floods) s.destroy();
      await within(own.stop(true), 10_000, "stop(true)");
    }
  });

  it("maxTlsHandshakes and tlsHandshakeTimeout are limits like the others (validated)", async () => {
    await assert.rejects(startServer({ tls: { cert: a.cert, key: a.key }, limits: { maxTlsHandshakes: 0 }, fetch: () => new Response("x") }), /maxTlsHandshakes/);
    await assert.rejects(startServer({ tls: { cert: a.cert, key: a.key }, limits: { tlsHandshakeTimeout: -1 }, fetch: () => new Response("x") }), /tlsHandshakeTimeout/);
  });

  it("with maxTlsHandshakes 2, a third handshake cuts the oldest stalled one", async () => {
    const own = await startServer({ tls: { cert: a.cert, key: a.key }, limits: { maxTlsHandshakes: 2 }, fetch: () => new Response("x") });
    const clients: OpsClient[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const c = await OpsClient.connect({ port: own.port });
        await c.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
        clients.push(c);
      }
      await new Promise((r) => setTimeout(r, 100));
      const fresh = await within(connectSocket({ port: own.port, tls: { ca: a.cert } }), 5000, "a third handshake");
      fresh.destroy();
      assert.ok(await clients[0].waitForClose(5000), "the oldest stalled handshake was cut");
      assert.equal(clients[1].ended, false, "the newer one is still waiting");
    } finally {
      for (const c of clients) c.destroy();
      await own.stop(true);
    }
  });
});

describe("session ticket rotation in one process", () => {
  for (const version of ["-tls1_2", "-tls1_3"]) {
    it(`a saved session resumes at once, and makes a full handshake once its key is two rotations old (ticketKeyRotation 1 s, ${version.slice(1)})`, { timeout: 30_000 }, async () => {
      const own = await startServer({ tls: { cert: a.cert, key: a.key }, ticketKeyRotation: 1, fetch: () => new Response("answered") });
      try {
        const session = path.join(dir, `rotation${version}`);
        const request = "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        const resume = (): Promise<string> => sClient(own.port, [version, "-ign_eof", "-sess_in", session], request).then((out) => out.session);
        assert.equal((await sClient(own.port, [version, "-ign_eof", "-sess_out", session], request)).session, "New");
        // Within one period at most one rotation passes, and the previous key still decrypts.
        assert.equal(await resume(), "Reused");
        // Then resume again and again (each s_client run takes some ms): the key dies within about two periods.
        const end = Date.now() + 10_000;
        let last = "Reused";
        while (last === "Reused" && Date.now() < end) last = await resume();
        assert.equal(last, "New", "the saved session still resumed after 10 s of 1 s rotations");
      } finally {
        await own.stop(true);
      }
    });
  }

  it("ticketKeyRotation is checked: seconds above 0, at most what a timer can wait", async () => {
    for (const ticketKeyRotation of [0, -1, Number.NaN, 2_147_484]) {
      await assert.rejects(startServer({ tls: { cert: a.cert, key: a.key }, ticketKeyRotation, fetch: () => new Response("x") }), /ticketKeyRotation/, String(ticketKeyRotation));
    }
  });
});

async function waitUntil(predicate: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return predicate();
}
