// Table tests for the write path's two halves: planResponse (shared by every protocol) and
// frameHttp1 (HTTP/1.1's framing and its decision about the connection).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutgoingResponse } from "../../src/http/exchange.js";
import { frameHttp1 } from "../../src/http/response-head.js";
import { planResponse } from "../../src/http/response-plan.js";

const reader = { read: async () => ({ done: true }), cancel: () => {} };

function res(status: number, body: OutgoingResponse["body"], headers: string[] = [], bodyLength = -1): OutgoingResponse {
  return { status, statusText: "", headers, body, bodyLength };
}

describe("planResponse", () => {
  const rows: { name: string; method?: string; res: OutgoingResponse; sendBody: boolean; delimited: boolean; length: number }[] = [
    { name: "a string body", res: res(200, "héllo"), sendBody: true, delimited: true, length: 6 },
    { name: "bytes", res: res(200, new Uint8Array(3)), sendBody: true, delimited: true, length: 3 },
    { name: "no body", res: res(200, null), sendBody: true, delimited: true, length: 0 },
    { name: "a stream of known length", res: res(200, reader, [], 10), sendBody: true, delimited: true, length: 10 },
    { name: "a stream with the app's Content-Length", res: res(200, reader, ["Content-Length", "7"]), sendBody: true, delimited: true, length: 7 },
    { name: "a stream of unknown length", res: res(200, reader), sendBody: true, delimited: true, length: -1 },
    { name: "HEAD with a body: its length, no bytes", method: "HEAD", res: res(200, "abc"), sendBody: false, delimited: true, length: 3 },
    { name: "HEAD without a body: only what the app declared", method: "HEAD", res: res(200, null, ["content-length", "99"]), sendBody: false, delimited: false, length: 99 },
    { name: "204: no content, no length", res: res(204, "x"), sendBody: false, delimited: false, length: -1 },
    { name: "304 repeats a declared length", res: res(304, null, ["Content-Length", "5"]), sendBody: false, delimited: false, length: 5 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const plan = planResponse(row.method ?? "GET", row.res);
      assert.deepEqual({ sendBody: plan.sendBody, delimited: plan.delimited, length: plan.length }, { sendBody: row.sendBody, delimited: row.delimited, length: row.length });
    });
  }
  for (const status of [100, 101, 199, 1000, 200.5, Number.NaN]) {
    it(`refuses status ${status}`, () => assert.throws(() => planResponse("GET", res(status, null)), RangeError));
  }
});

describe("frameHttp1", () => {
  const rows: { name: string; res: OutgoingResponse; minor: 0 | 1; last?: boolean; want: { contentLength: number; chunked: boolean; connection: string; close: boolean } }[] = [
    { name: "known length on 1.1", res: res(200, "abc"), minor: 1, want: { contentLength: 3, chunked: false, connection: "", close: false } },
    { name: "unknown length on 1.1: chunked", res: res(200, reader), minor: 1, want: { contentLength: -1, chunked: true, connection: "", close: false } },
    { name: "unknown length on 1.0: ends with the connection", res: res(200, reader), minor: 0, want: { contentLength: -1, chunked: false, connection: "close", close: true } },
    { name: "known length on 1.0 keeps alive", res: res(200, "abc"), minor: 0, want: { contentLength: 3, chunked: false, connection: "keep-alive", close: false } },
    { name: "the app's Connection: close", res: res(200, "abc", ["Connection", "Close"]), minor: 1, want: { contentLength: 3, chunked: false, connection: "close", close: true } },
    { name: "the connection's last exchange", res: res(200, "abc"), minor: 1, last: true, want: { contentLength: 3, chunked: false, connection: "close", close: true } },
    { name: "204 has no framing fields", res: res(204, null), minor: 1, want: { contentLength: -1, chunked: false, connection: "", close: false } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const f = frameHttp1(planResponse("GET", row.res), row.minor, row.last ?? false);
      assert.deepEqual({ contentLength: f.contentLength, chunked: f.chunked, connection: f.connection, close: f.close }, row.want);
    });
  }
});
