// Table tests for the field-list module (src/http/fields.ts): lookups, Content-Length values and token lists.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { declaredLength, fieldValue, hasField, hasToken, joinedFieldValue, joinedFieldValues, listTokens, parseLength } from "../../src/http/fields.js";

const FIELDS = ["Content-Type", "text/plain", "X-A", "1", "x-a", "2", "Content-Length", " 42 ", "Connection", "keep-alive, Upgrade"];

describe("field lookups", () => {
  const rows: { name: string; first: string | undefined; joined: string | null }[] = [
    { name: "content-type", first: "text/plain", joined: "text/plain" },
    { name: "x-a", first: "1", joined: "1, 2" },
    { name: "x-b", first: undefined, joined: null },
    { name: "content-length", first: " 42 ", joined: " 42 " },
  ];
  for (const row of rows) {
    it(`${row.name}: first ${String(row.first)}, joined ${String(row.joined)}`, () => {
      assert.equal(fieldValue(FIELDS, row.name), row.first);
      assert.equal(joinedFieldValue(FIELDS, row.name), row.joined);
      assert.equal(hasField(FIELDS, row.name), row.first !== undefined);
    });
  }
  it("joinedFieldValues reads several names in one pass, in the order asked", () => {
    assert.deepEqual(joinedFieldValues(FIELDS, ["x-a", "nope", "content-type"]), ["1, 2", null, "text/plain"]);
  });
});

describe("parseLength and declaredLength (RFC 9110 §8.6: 1*DIGIT)", () => {
  const rows: [string, number][] = [
    ["0", 0], ["42", 42], [" 42\t", 42], ["007", 7], ["999999999999999", 999999999999999],
    ["", -1], [" ", -1], ["1000000000000000", -1], ["-1", -1], ["+1", -1], ["1.0", -1], ["0x10", -1], ["1 2", -1], ["1,1", -1],
  ];
  for (const [value, want] of rows) it(`${JSON.stringify(value)} → ${want}`, () => assert.equal(parseLength(value), want));
  it("declaredLength reads the field, or -1", () => {
    assert.equal(declaredLength(FIELDS), 42);
    assert.equal(declaredLength(["content-length", "abc"]), -1);
    assert.equal(declaredLength([]), -1);
  });
});

describe("token lists (RFC 9110 §5.6.1)", () => {
  const rows: [string, string[]][] = [
    ["close", ["close"]], ["Keep-Alive, Upgrade", ["keep-alive", "upgrade"]], [" , ,a,, B ", ["a", "b"]], ["", []],
  ];
  for (const [value, want] of rows) it(`${JSON.stringify(value)} → ${JSON.stringify(want)}`, () => assert.deepEqual(listTokens(value), want));
  it("hasToken matches whole tokens only, case-insensitively", () => {
    assert.equal(hasToken("keep-alive, Upgrade", "upgrade"), true);
    assert.equal(hasToken("upgrades", "upgrade"), false);
    assert.equal(hasToken(null, "close"), false);
    assert.equal(hasToken(undefined, "close"), false);
  });
});
