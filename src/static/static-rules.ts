// StaticRules: the shape of sockserve.json's rules (headers, redirects, rewrites, cleanUrls,
// trailingSlash), shared by the validator and the handler wrapper that applies them.

/** RedirectStatus is a status a redirect rule may answer with. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

/**
 * StaticRules are the rules {@link withRules} applies around a handler, in the shape of
 * vercel serve's `serve.json`: `headers` by glob, `redirects` and `rewrites` by path pattern
 * (`:name` captures a segment, a last `*` the rest), `cleanUrls` and `trailingSlash`.
 *
 * @example
 * ```ts
 * import type { StaticRules } from "sockserve";
 *
 * const rules: StaticRules = {
 *   headers: [{ source: "**\/*.css", headers: [{ key: "Cache-Control", value: "max-age=3600" }] }],
 *   redirects: [{ source: "/old/:id", destination: "/new/:id", status: 308 }],
 *   rewrites: [{ source: "/app/*", destination: "/app/index.html" }],
 *   cleanUrls: true,
 *   trailingSlash: false,
 * };
 * ```
 */
export interface StaticRules {
  /** headers adds `headers` to every response whose request path matches the glob `source`. */
  headers?: { source: string; headers: { key: string; value: string }[] }[];
  /** redirects answers a path matching `source` with a redirect to `destination` (status default 301). */
  redirects?: { source: string; destination: string; status?: RedirectStatus }[];
  /** rewrites serves `destination` for a GET or HEAD path matching `source` that no file answers. */
  rewrites?: { source: string; destination: string }[];
  /** cleanUrls serves `/about` from `about.html` and redirects `/about.html` to `/about`. */
  cleanUrls?: boolean;
  /** trailingSlash true adds a missing "/" to extension-less paths, false removes it; unset leaves paths alone. */
  trailingSlash?: boolean;
}
