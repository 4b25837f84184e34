// The published JSON Schema (schema/sockserve.schema.json) and the config validator agree on a
// table of good and bad sockserve.json files; each bad one gets a message naming its key.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../../src/cli/args.js";
import { validateConfig } from "../../src/cli/config-file.js";
import { schemaErrors, unknownKeywords } from "../support/json-schema.js";

const REPO = path.resolve(import.meta.dirname, "../..");
const schema = JSON.parse(readFileSync(path.join(REPO, "schema/sockserve.schema.json"), "utf8")) as Record<string, unknown>;

const redirect = (extra: Record<string, unknown>): unknown => ({ redirects: [{ source: "/a", destination: "/b", ...extra }] });
const header = (extra: Record<string, unknown>): unknown => ({ headers: [{ source: "**/*.css", headers: [{ key: "Cache-Control", value: "max-age=60" }], ...extra }] });

const GOOD: [string, unknown][] = [
  ["empty", {}],
  ["$schema", { $schema: "./node_modules/sockserve/schema/sockserve.schema.json" }],
  ["settings", { listing: false, cache: 3600, cors: true }],
  ["every rule kind", {
    headers: [{ source: "**/*.@(jpg|png)", headers: [{ key: "Cache-Control", value: "max-age=86400" }] }],
    redirects: [{ source: "/old/:id", destination: "/new/:id", status: 308 }, { source: "/docs/*", destination: "https://docs.example.com/*" }],
    rewrites: [{ source: "**", destination: "/index.html" }, { source: "/blog/:slug", destination: "/posts/:slug.html" }],
    cleanUrls: true,
    trailingSlash: false,
  }],
  ["each redirect status", { redirects: [301, 302, 303, 307, 308].map((status) => ({ source: "/a", destination: "/b", status })) }],
  ["a header value in Latin-1", header({ headers: [{ key: "X-Name", value: "café" }] })],
];

/** BAD rows: the value, the validator's message, and whether the schema can say so too. */
const BAD: [unknown, RegExp, "schema too" | "validator only"][] = [
  [[], /^sockserve\.json: must be a JSON object$/, "schema too"],
  [{ redirect: [] }, /^sockserve\.json: redirect is not a known key \(expected \$schema, listing, cache, cors, headers, redirects/, "schema too"],
  [{ listing: "no" }, /^sockserve\.json: listing must be true or false$/, "schema too"],
  [{ cache: -1 }, /^sockserve\.json: cache must be a whole number/, "schema too"],
  [{ cache: 1.5 }, /^sockserve\.json: cache must be a whole number/, "schema too"],
  [{ $schema: 1 }, /\$schema must be a string/, "schema too"],
  [{ cleanUrls: "yes" }, /^sockserve\.json: cleanUrls must be true or false$/, "schema too"],
  [{ trailingSlash: 1 }, /trailingSlash must be true or false/, "schema too"],
  [{ redirects: {} }, /^sockserve\.json: redirects must be an array$/, "schema too"],
  [{ redirects: [{ source: "/a", destination: "/b" }, { source: "/c", destination: "/d" }, { source: "/e", destination: "/f", status: 200 }] },
    /^sockserve\.json: redirects\[2\]\.status must be 301, 302, 303, 307 or 308$/, "schema too"],
  [redirect({ status: "301" }), /redirects\[0\]\.status must be 301/, "schema too"],
  [redirect({ type: 301 }), /redirects\[0\]\.type is not a known key \(expected source, destination, status\)/, "schema too"],
  [{ redirects: [{ destination: "/b" }] }, /redirects\[0\]\.source must be a non-empty string/, "schema too"],
  [{ redirects: [{ source: "/a" }] }, /redirects\[0\]\.destination must be a non-empty string/, "schema too"],
  [redirect({ destination: "//evil.example" }), /redirects\[0\]\.destination must be a path starting with "\/" or an http\(s\):\/\/ URL/, "schema too"],
  [redirect({ destination: "b" }), /redirects\[0\]\.destination must be a path/, "schema too"],
  [redirect({ destination: "/a b" }), /redirects\[0\]\.destination must be visible ASCII/, "schema too"],
  [redirect({ source: "/a/*/b" }), /redirects\[0\]\.source may use \* only as its last segment/, "schema too"],
  [redirect({ source: "/files/*.png" }), /redirects\[0\]\.source may use \* only as a whole last segment/, "schema too"],
  [redirect({ source: "/:1x" }), /redirects\[0\]\.source has a bad parameter name ":1x"/, "schema too"],
  [redirect({ destination: "/b/:id" }), /redirects\[0\]\.destination uses :id, which source does not capture/, "validator only"],
  [redirect({ destination: "/b/*" }), /redirects\[0\]\.destination uses \*, which source does not capture/, "validator only"],
  [{ rewrites: [{ source: "/a", destination: "https://example.com/" }] }, /rewrites\[0\]\.destination must be a path starting with "\/", without "\?" or "#"/, "schema too"],
  [{ rewrites: [{ source: "/a", destination: "/b?x=1" }] }, /rewrites\[0\]\.destination must be a path/, "schema too"],
  [{ rewrites: Array.from({ length: 1001 }, () => ({ source: "/a", destination: "/b" })) }, /rewrites must have at most 1000 rules/, "schema too"],
  [header({ source: "" }), /headers\[0\]\.source must be a non-empty string/, "schema too"],
  [header({ source: "x".repeat(1025) }), /headers\[0\]\.source is longer than 1024 characters/, "schema too"],
  [header({ source: "*.{css,js" }), /headers\[0\]\.source has an unclosed "\{"/, "validator only"],
  [header({ source: "[abc" }), /headers\[0\]\.source has an unclosed "\["/, "validator only"],
  [header({ headers: {} }), /headers\[0\]\.headers must be an array/, "schema too"],
  [header({ headers: [{ key: "Bad Name", value: "x" }] }), /headers\[0\]\.headers\[0\]\.key must be a header name/, "schema too"],
  [header({ headers: [{ key: "X-A", value: "a\r\nSet-Cookie: x" }] }), /headers\[0\]\.headers\[0\]\.value must be Latin-1 text without control characters/, "schema too"],
  [header({ headers: [{ key: "X-A", value: "☃" }] }), /headers\[0\]\.headers\[0\]\.value must be Latin-1/, "schema too"],
  [header({ headers: [{ key: "X-A" }] }), /headers\[0\]\.headers\[0\]\.value must be a string/, "schema too"],
  [header({ match: "x" }), /headers\[0\]\.match is not a known key/, "schema too"],
];

function validatorMessage(value: unknown): string | null {
  try {
    validateConfig(value, "sockserve.json");
    return null;
  } catch (err) {
    assert.ok(err instanceof UsageError, `not a UsageError: ${String(err)}`);
    return err.message;
  }
}

describe("sockserve.json: schema and validator", () => {
  it("the schema uses only keywords the checker knows (so the comparison is complete)", () => {
    assert.deepEqual(unknownKeywords(schema), []);
  });
  for (const [name, value] of GOOD) {
    it(`accepts: ${name}`, () => {
      assert.equal(validatorMessage(value), null);
      assert.deepEqual(schemaErrors(schema, value), []);
    });
  }
  for (const [value, message, scope] of BAD) {
    const text = JSON.stringify(value).slice(0, 90);
    it(`refuses ${text} (${scope})`, () => {
      const got = validatorMessage(value);
      assert.ok(got !== null, "the validator accepted it");
      assert.match(got, message);
      assert.doesNotMatch(got, /\n/, "one line");
      const errors = schemaErrors(schema, value);
      if (scope === "schema too") assert.notDeepEqual(errors, [], "the schema accepted it");
      else assert.deepEqual(errors, [], "a row marked validator only is one the schema cannot express");
    });
  }
});
