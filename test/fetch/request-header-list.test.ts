// requestHeaderList reads several request fields in one pass; it must agree with Headers.get
// for sockserve's own requests (raw field list, then after .headers is built) and for undici's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestHeaderList } from "../../src/fetch/incoming-request.js";
import { exchange } from "../support/raw.js";
import { withServer } from "../support/server.js";

const NAMES = ["range", "accept-encoding", "if-none-match", "x-absent", "x-twice"];

const RAW =
  "GET /f HTTP/1.1\r\nHost: t\r\nRANGE: bytes=0-1\r\naccept-Encoding: gzip\r\n" +
  'X-Twice: a\r\nIf-None-Match: "x"\r\nx-twice: b\r\nConnection: close\r\n\r\n';

async function answer(handler: (req: Request) => unknown): Promise<unknown> {
  return withServer({ fetch: (req) => Response.json(handler(req)) }, async (server) => {
    const { responses } = await exchange(server.port, RAW);
    assert.equal(responses.length, 1);
    assert.equal(responses[0].status, 200);
    return JSON.parse(responses[0].body.toString());
  });
}

describe("requestHeaderList", () => {
  const expected = ["bytes=0-1", "gzip", '"x"', null, "a, b"];

  it("reads the raw field list in one pass: any case, repeats joined, absent as null", async () => {
    assert.deepEqual(await answer((req) => requestHeaderList(req, NAMES)), expected);
  });

  it("agrees with Headers.get once the request's Headers exist", async () => {
    const got = await answer((req) => {
      const viaHeaders = NAMES.map((name) => req.headers.get(name));
      return { viaHeaders, list: requestHeaderList(req, NAMES) };
    });
    assert.deepEqual(got, { viaHeaders: expected, list: expected });
  });

  it("reads an undici Request through its Headers", () => {
    const req = new Request("http://t/f", { headers: [["Range", "bytes=0-1"], ["Accept-Encoding", "gzip"], ["If-None-Match", '"x"'], ["x-twice", "a"], ["X-Twice", "b"]] });
    assert.deepEqual(requestHeaderList(req, NAMES), expected);
  });
});
