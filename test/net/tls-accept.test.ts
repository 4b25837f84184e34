// TlsAcceptor's ticket keys over real TLS with openssl s_client (TLS 1.2 and 1.3): a session saved
// under key A resumes after a rotation to B (A still decrypts), and after a second rotation to C
// makes a full handshake on a connection that still works; with SNI, across a reload, and with the
// ClientHello arriving a few bytes at a time (through a relay).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConnectionRegistry, type Tracked } from "../../src/net/connection-registry.js";
import { TlsAcceptor } from "../../src/net/tls-accept.js";
import { newTicketKeys, type TlsOptions } from "../../src/net/tls-contexts.js";
import { sClient, sessionTicket, type SClient } from "../support/openssl-client.js";
import { makeCert } from "../support/ops-tls.js";

const dir = mkdtempSync(path.join(tmpdir(), "sockserve-tls-accept-"));
const REQUEST = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
const ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nanswered\n";
let certs: TlsOptions[];
let acceptor: TlsAcceptor;
let server: net.Server;
let port: number;

before(async () => {
  const a = makeCert(dir, "a", "a.test");
  const b = makeCert(dir, "b", "b.test", ["b.test"]);
  certs = [{ cert: a.cert, key: a.key }, { serverName: "b.test", cert: b.cert, key: b.key }];
  const registry = new ConnectionRegistry<Tracked>(1000);
  acceptor = new TlsAcceptor(certs, { alpn: ["http/1.1"], registry, handshakeTimeout: 5000, maxHandshakes: 100 });
  server = net.createServer({ allowHalfOpen: true }, (socket) =>
    acceptor.accept(socket, (tls) => {
      tls.once("data", () => tls.end(ANSWER));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});
after(() => {
  acceptor.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const nameOf = (keys: Buffer): string => keys.subarray(0, 16).toString("hex");

/** savedUnder installs `keys` alone, makes a full handshake, and returns the session file s_client saved. */
async function savedUnder(keys: Buffer, file: string, args: string[]): Promise<string> {
  const session = path.join(dir, file);
  acceptor.setTicketKeys(keys);
  const out = await run([...args, "-sess_out", session]);
  assert.equal(out.session, "New", out.text);
  return session;
}

/** run makes one request with s_client; -ign_eof keeps it until the answer, so TLS 1.3's tickets have arrived. */
async function run(args: string[]): Promise<SClient> {
  const out = await sClient(port, ["-ign_eof", ...args], REQUEST);
  assert.match(out.text, /answered/, `the connection works: ${out.text}`);
  return out;
}

for (const version of ["-tls1_2", "-tls1_3"]) {
  describe(`ticket keys (${version.slice(1)})`, () => {
    it("a ticket made under A resumes under B with A as previous, and makes a full handshake under C", async () => {
      const [a, b, c] = [newTicketKeys(), newTicketKeys(), newTicketKeys()];
      const session = await savedUnder(a, `rotation${version}`, [version]);
      assert.deepEqual(sessionTicket(session), { keyName: nameOf(a), lifetimeHint: 300 }, "A made the ticket, which lives 300 s");
      assert.equal((await run([version, "-sess_in", session])).session, "Reused", "under A itself");
      acceptor.setTicketKeys(b, a);
      assert.equal((await run([version, "-sess_in", session, "-sess_out", `${session}.again`])).session, "Reused", "A is the previous key: it still decrypts");
      // A resumption makes no new ticket (s_client saves nothing): the client keeps A's, which lives
      // 300 s from its full handshake, so a key that decrypts for a period outlives its tickets.
      assert.equal(existsSync(`${session}.again`), false, "no new ticket on resumption");
      assert.equal((await run([version, "-sess_out", `${session}.fresh`])).session, "New");
      assert.equal(sessionTicket(`${session}.fresh`).keyName, nameOf(b), "B, the current key, makes the new tickets");
      acceptor.setTicketKeys(c, b);
      assert.equal((await run([version, "-sess_in", session])).session, "New", "A is two rotations old: a full handshake");
    });

    it("a ticket made under the current key B still resumes once B is previous (C current); a fresh key alone does not", async () => {
      const [b, c] = [newTicketKeys(), newTicketKeys()];
      const session = await savedUnder(b, `current${version}`, [version]);
      acceptor.setTicketKeys(c, b);
      assert.equal((await run([version, "-sess_in", session])).session, "Reused");
      acceptor.setTicketKeys(newTicketKeys());
      assert.equal((await run([version, "-sess_in", session])).session, "New", "no previous key: nothing old decrypts");
    });

    it("SNI: a b.test session made under A resumes under B (A previous) and gets b.test's certificate", async () => {
      const [a, b] = [newTicketKeys(), newTicketKeys()];
      const session = await savedUnder(a, `sni${version}`, [version, "-servername", "b.test"]);
      acceptor.setTicketKeys(b, a);
      const resumed = await run([version, "-servername", "b.test", "-sess_in", session]);
      assert.equal(resumed.session, "Reused", resumed.text);
      assert.equal(resumed.subject, "CN = b.test", resumed.text);
      const fresh = await run([version, "-servername", "b.test"]);
      assert.deepEqual([fresh.session, fresh.subject], ["New", "CN = b.test"], "a full handshake under B still picks b.test");
    });

    it("a ClientHello that arrives 7 bytes per write (a relay) is read whole: the previous key still resumes", async () => {
      const [a, b] = [newTicketKeys(), newTicketKeys()];
      const session = await savedUnder(a, `relay${version}`, [version]);
      acceptor.setTicketKeys(b, a);
      const relay = await slowRelay(7);
      try {
        const out = await sClient(relay.port, ["-ign_eof", version, "-sess_in", session], REQUEST);
        assert.match(out.text, /answered/, out.text);
        assert.equal(out.session, "Reused", out.text);
        assert.ok(relay.writes() > 20, `the ClientHello took ${relay.writes()} writes`);
      } finally {
        relay.close();
      }
    });

    it("reload keeps both keys: the previous one still decrypts with the new certificates", async () => {
      const [a, b] = [newTicketKeys(), newTicketKeys()];
      const session = await savedUnder(a, `reload${version}`, [version]);
      acceptor.setTicketKeys(b, a);
      acceptor.reload([...certs].reverse());
      const resumed = await run([version, "-servername", "a.test", "-sess_in", session]);
      assert.equal(resumed.session, "Reused", resumed.text);
      assert.equal((await run([version])).subject, "CN = b.test", "the reloaded list's first entry is the default now");
      acceptor.reload(certs);
    });
  });
}

/** slowRelay forwards connections to the acceptor, what the client sends `size` bytes per write, each write waiting for the last. */
async function slowRelay(size: number): Promise<{ port: number; writes: () => number; close: () => void }> {
  let writes = 0;
  const relay = net.createServer((client) => {
    const upstream = net.connect({ port, host: "127.0.0.1", noDelay: true });
    const write = (piece: Buffer): Promise<void> => new Promise((resolve) => upstream.write(piece, () => resolve(void writes++)));
    let queue = Promise.resolve();
    client.on("data", (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += size) {
        const piece = chunk.subarray(i, i + size);
        queue = queue.then(() => write(piece));
      }
    });
    upstream.pipe(client);
    client.on("end", () => void queue.then(() => upstream.end()));
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut);
    upstream.on("error", cut);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  return { port: (relay.address() as net.AddressInfo).port, writes: () => writes, close: () => relay.close() };
}
