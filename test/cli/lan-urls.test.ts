// The addresses printed for a wildcard bind, as a table fed os.networkInterfaces()-shaped data
// (link-local IPv6 is left out: no browser opens it, with or without an RFC 6874 zone), and the
// bin's "also at" lines for -H ::, each of which Node's URL parser accepts.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import os, { type NetworkInterfaceInfo } from "node:os";
import { isLinkLocal, lanUrls } from "../../src/cli/lan-urls.js";
import { assertBuilt } from "../support/ops-cli.js";
import { startCli } from "../support/static-cli.js";

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({ address, netmask: "255.255.255.0", family: "IPv4", mac: "02:00:00:00:00:01", internal, cidr: `${address}/24` });
const v6 = (address: string, scopeid = 0, internal = false): NetworkInterfaceInfo => ({ address, netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:00:00:00:00:01", internal, cidr: `${address}/64`, scopeid });

const INTERFACES: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  lo: [v4("127.0.0.1", true), v6("::1", 0, true)],
  eth0: [v4("192.0.2.10"), v6("2001:db8::10"), v6("fe80::1", 2)],
  "wl p3s0": [v6("fe80::abcd:1", 3), v4("198.51.100.7")],
  tun0: [v6("FE80::9%tun0", 4)],
};

describe("lanUrls", () => {
  const rows: [string, string, NodeJS.Dict<NetworkInterfaceInfo[]>, string[]][] = [
    ["0.0.0.0: IPv4 only, no loopback", "0.0.0.0", INTERFACES, ["http://192.0.2.10:8000/", "http://198.51.100.7:8000/"]],
    [
":: both families, without link-local", "::", INTERFACES, ["http://192.0.2.10:8000/", "http://[2001:db8::10]:8000/", "http://198.51.100.7:8000/"]],
    ["IPv4 link-local (169.254/16) needs no zone and stays", "0.0.0.0", { eth0: [v4("169.254.3.4")] }, ["http://169.254.3.4:8000/"]],
    ["only loopback: nothing", "::", { lo: INTERFACES.lo }, []],
    ["no interfaces", "0.0.0.0", {}, []],
    ["an interface with no addresses", "::", { eth1: undefined }, []],
  ];
  for (const [name, host, interfaces, expected] of rows) it(name, () => assert.deepEqual(lanUrls(interfaces, host, 8000, "http"), expected));
  it("writes the scheme given (https)", () => assert.deepEqual(lanUrls({ eth0: [v6("2001:db8::1")] }, "::", 443, "https"), ["https://[2001:db8::1]:443/"]));
  it("isLinkLocal: fe80::/10 only", () => {
    for (const a of ["fe80::1", "FE80::9%tun0", "fe9f::1", "febf:1::2"]) assert.ok(isLinkLocal(a), a);
    for (const a of ["fec0::1", "fe8::1", "2001:db8::1", "::1", "fd00::2"]) assert.ok(!isLinkLocal(a), a);
  });
  it("the WHATWG URL parser refuses a zone, which is why link-local is left out", () => {
    assert.throws(() => new URL("http://[fe80::1%25eth0]:8000/"), TypeError);
  });
});

describe("sockserve -H ::", () => {
  it("prints every non-loopback address a browser can open, and no link-local one", async (t) => {
    assertBuilt();
    const expected = lanUrls(os.networkInterfaces(), "::", 0, "http");
    if (expected.length === 0) return t.skip("no non-internal interface here");
    const { cli, port } = await startCli([os.tmpdir(), "-p", "0", "-H", "::", "--quiet"], { dist: true });
    try {
      const lines = () => cli.stdout.split("\n").filter((l) => l.startsWith("  also at "));
      assert.ok(await cli.until(() => lines().length >= expected.length, 3000), cli.stdout);
      const printed = lines().map((l) => l.slice("  also at ".length));
      assert.deepEqual(printed, lanUrls(os.networkInterfaces(), "::", port, "http"));
      for (const url of printed) {
        assert.ok(!isLinkLocal(new URL(url).hostname.slice(1, -1)), `a link-local address: ${url}`);
      }
      const res = await fetch(`http://[::1]:${port}/`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await cli.stop();
    }
  });
});
