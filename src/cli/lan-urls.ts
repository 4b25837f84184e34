// The addresses printed under "Serving ..." for a wildcard bind (0.0.0.0 or ::): every
// interface address a user can click. IPv6 link-local ones are left out (see lanUrls).
import type { NetworkInterfaceInfo } from "node:os";

/**
 * lanUrls lists the URLs of the non-internal addresses in `interfaces` (shaped as
 * `os.networkInterfaces()`): IPv4 only for `0.0.0.0`, both families for `::`. An IPv6 link-local
 * address (fe80::/10) is left out: without its zone it names no interface, and with one
 * (RFC 6874's `[fe80::1%25eth0]`) the WHATWG URL parser, and so every browser and Node's fetch,
 * refuses the URL.
 */
export function lanUrls(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>, host: string, port: number, scheme: string): string[] {
  const urls: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || (host !== "::" && a.family !== "IPv4")) continue;
      if (a.family !== "IPv6") urls.push(`${scheme}://${a.address}:${port}/`);
      else if (!isLinkLocal(a.address)) urls.push(`${scheme}://[${a.address}]:${port}/`);
    }
  }
  return urls;
}

/** isLinkLocal tells whether an IPv6 address is in fe80::/10 (RFC 4291 §2.5.6). */
export function isLinkLocal(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}
