// ConnectionRegistry: socket ownership (track, adopt on upgrade, forget on close), pending
// request counts, and waiting for the last connection to go.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { ConnectionRegistry, sweepInterval, type Tracked } from "../../src/net/connection-registry.js";

function tracked(pendingRequests: number): Tracked & { swept: number } {
  return { idle: pendingRequests === 0, pendingRequests, swept: 0, sweep() { this.swept++; }, shutdown() {}, destroy() {} };
}

describe("ConnectionRegistry", () => {
  it("tracks a socket's owner, hands it to a new owner, and forgets it when the socket closes", async () => {
    const registry = new ConnectionRegistry<Tracked>(1000);
    const socket = new PassThrough();
    const http = tracked(1);
    const ws = tracked(0);
    registry.track(socket, http);
    assert.equal(registry.size, 1);
    assert.equal(registry.pendingRequests(), 1);
    registry.adopt(socket, ws);
    assert.deepEqual([...registry.connections()], [ws]);
    assert.equal(registry.pendingRequests(), 0);
    const empty = registry.empty();
    socket.destroy();
    await empty;
    assert.equal(registry.size, 0);
  });
  it("adopt does nothing for a socket it does not track", () => {
    const registry = new ConnectionRegistry<Tracked>(1000);
    registry.adopt(new PassThrough(), tracked(0));
    assert.equal(registry.size, 0);
  });
  it("sums pending requests over connections", () => {
    const registry = new ConnectionRegistry<Tracked>(1000);
    for (const n of [0, 1, 3]) registry.add(tracked(n));
    assert.equal(registry.pendingRequests(), 4);
  });
  const rows: [number, number][] = [[1, 10], [40, 10], [400, 100], [5000, 1000], [60_000, 1000]];
  for (const [timeout, want] of rows) it(`sweepInterval(${timeout}) = ${want}`, () => assert.equal(sweepInterval(timeout), want));
});
