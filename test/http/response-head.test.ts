// serializeHead: the status line, the app's fields and the engine's framing fields; a frozen,
// trusted field list may reuse the head it made last, and only for the very same shape.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { httpDate } from "../../src/http/http-date.js";
import { serializeHead, type Framing } from "../../src/http/response-head.js";

const KEEP: Framing = { contentLength: 13, chunked: false, connection: "" };
const TEXT = Object.freeze(["Content-Type", "text/plain;charset=UTF-8"]);

describe("serializeHead", () => {
  const rows: { name: string; status: number; headers: readonly string[]; framing: Framing; trusted: boolean; head: string }[] = [
    { name: "keep-alive, length", status: 200, headers: TEXT, framing: KEEP, trusted: true, head: `HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=UTF-8\r\nDate: ${httpDate()}\r\nContent-Length: 13\r\n\r\n` },
    { name: "close", status: 200, headers: TEXT, framing: { ...KEEP, connection: "close" }, trusted: true, head: `HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=UTF-8\r\nDate: ${httpDate()}\r\nContent-Length: 13\r\nConnection: close\r\n\r\n` },
    { name: "chunked", status: 404, headers: TEXT, framing: { contentLength: -1, chunked: true, connection: "" }, trusted: true, head: `HTTP/1.1 404 Not Found\r\nContent-Type: text/plain;charset=UTF-8\r\nDate: ${httpDate()}\r\nTransfer-Encoding: chunked\r\n\r\n` },
    { name: "the app's framing fields dropped", status: 200, headers: ["Content-Length", "99", "Connection", "keep-alive", "X-A", "1"], framing: KEEP, trusted: false, head: `HTTP/1.1 200 OK\r\nX-A: 1\r\nDate: ${httpDate()}\r\nContent-Length: 13\r\n\r\n` },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(serializeHead(row.status, "", row.headers, row.framing, row.trusted).head, row.head);
      // The same shape again (a reused head for the frozen lists) gives the same text; the rows
      // alternate shapes on one frozen list, so a head kept from another shape would show here.
      assert.equal(serializeHead(row.status, "", row.headers, row.framing, row.trusted).head, row.head);
    });
  }

  it("reuses the head of a frozen, trusted list only for the same shape, never for another list", () => {
    const a = serializeHead(200, "", TEXT, KEEP, true);
    assert.equal(serializeHead(200, "", TEXT, KEEP, true), a, "the same shape: the kept head");
    assert.notEqual(serializeHead(200, "", TEXT, { ...KEEP, contentLength: 14 }, true).head, a.head);
    assert.notEqual(serializeHead(201, "", TEXT, KEEP, true).head, a.head);
    assert.notEqual(serializeHead(200, "Fine", TEXT, KEEP, true).head, a.head);
    const open = ["Content-Type", "text/plain;charset=UTF-8"]; // same fields, not frozen: built anew
    assert.notEqual(serializeHead(200, "", open, KEEP, true), a);
    assert.equal(serializeHead(200, "", open, KEEP, true).head, a.head);
  });

  it("refuses a field value with CR or LF", () => {
    assert.throws(() => serializeHead(200, "", ["X-A", "1\r\nX-B: 2"], KEEP), /invalid character/);
  });
});
