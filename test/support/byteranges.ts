// Reading multipart/byteranges bodies (RFC 9110 §14.6) in the range tests, whichever protocol
// carried them: the parts, each with its Content-Type, Content-Range and bytes.
import assert from "node:assert/strict";

/** Part is one part of a multipart/byteranges body. */
export interface Part {
  contentType: string | undefined;
  contentRange: string | undefined;
  body: Buffer;
}

/** boundaryOf reads the boundary parameter of a multipart Content-Type. */
export function boundaryOf(contentType: string): string {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType);
  assert.ok(m, `no boundary in Content-Type ${JSON.stringify(contentType)}`);
  return m[2];
}

/** parseMultipart splits a multipart/byteranges body by `boundary`. */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  assert.notEqual(pos, -1, "no boundary in the multipart body");
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === "--") break; // close-delimiter
    assert.equal(body.subarray(pos, pos + 2).toString(), "\r\n", "boundary line not ended by CRLF");
    pos += 2;
    const headEnd = body.indexOf("\r\n\r\n", pos);
    assert.notEqual(headEnd, -1, "part without a header section");
    const fields = new Map<string, string>();
    for (const line of body.subarray(pos, headEnd).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const start = headEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), start);
    assert.notEqual(next, -1, "part not followed by a boundary");
    parts.push({ contentType: fields.get("content-type"), contentRange: fields.get("content-range"), body: body.subarray(start, next) });
    pos = next + 2;
  }
  return parts;
}

/** sliceFor checks a Content-Range against `file`'s length and returns the slice it names. */
export function sliceFor(contentRange: string | undefined, file: Buffer): { first: number; last: number; slice: Buffer } {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange ?? "");
  assert.ok(m, `bad Content-Range ${JSON.stringify(contentRange)}`);
  const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.equal(total, file.length, "complete length in Content-Range");
  return { first, last, slice: file.subarray(first, last + 1) };
}
