// Content coding negotiation (RFC 9110 §12.5.3): pick br, gzip or identity from Accept-Encoding.

/** Encoding is a content coding the static handler can send. */
export type Encoding = "br" | "gzip" | "identity";

/** acceptedEncodings returns the codings the client accepts, in the server's order of preference (br, gzip). */
export function acceptedEncodings(header: string | null): Encoding[] {
  if (header === null) return ["identity"];
  const q = new Map<string, number>();
  for (const item of header.split(",")) {
    const [name, ...params] = item.trim().toLowerCase().split(";");
    if (name === undefined || name === "") continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m !== null) weight = Number(m[1]);
    }
    q.set(name.trim(), weight);
  }
  const star = q.get("*");
  const accepts = (name: string): boolean => (q.get(name) ?? star ?? 0) > 0;
  const out: Encoding[] = [];
  if (accepts("br")) out.push("br");
  if (accepts("gzip") || accepts("x-gzip")) out.push("gzip");
  // identity is acceptable unless excluded explicitly, or by "*;q=0" without an identity entry.
  const identity = q.get("identity") ?? (star === 0 ? 0 : 1);
  if (identity > 0) out.push("identity");
  return out;
}
