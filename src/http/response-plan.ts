// The protocol-neutral half of writing a response (RFC 9110 §6.4, §8.6, §15): the status must be
// final, HEAD and 1xx/204/304 answers carry no content, and the content's length when it is known.
// Each engine then frames the plan its own way (HTTP/1.1: response-head.ts).
import type { OutgoingResponse } from "./exchange.js";
import { declaredLength } from "./fields.js";

/** ResponsePlan is what every protocol decides alike about a response before writing it. */
export interface ResponsePlan {
  readonly response: OutgoingResponse;
  /** sendBody is false for HEAD and for statuses that never carry content: the body is dropped. */
  readonly sendBody: boolean;
  /**
   * delimited is true when the message has content whose end the framing must mark (its
   * length, chunks, or the end of the connection); false for 1xx/204/304 and a bodiless HEAD answer.
   */
  readonly delimited: boolean;
  /** length is the Content-Length to declare, or -1 when it is not known in advance. */
  readonly length: number;
}

/** planResponse checks a response and settles its content rules; it throws RangeError for a status that is not final. */
export function planResponse(method: string, res: OutgoingResponse): ResponsePlan {
  const { status, body } = res;
  if (!Number.isInteger(status) || status < 200 || status > 999) {
    throw new RangeError(`response status ${status} is not a final status code`);
  }
  const noContent = bodyForbidden(status);
  const sendBody = !noContent && method !== "HEAD";
  if (noContent) {
    // RFC 9110 §8.6: no Content-Length in 1xx/204; a 304 may repeat the length of the selected representation.
    return { response: res, sendBody, delimited: false, length: status === 304 ? declaredLength(res.headers) : -1 };
  }
  if (body === null && method === "HEAD") {
    // A HEAD answer without a body (Hono's, say) does not know the length: say only what the app declared.
    return { response: res, sendBody, delimited: false, length: declaredLength(res.headers) };
  }
  return { response: res, sendBody, delimited: true, length: bodyLength(body, res) };
}

/** bodyLength is the length of a body when it can be told without reading it, else -1. */
function bodyLength(body: OutgoingResponse["body"], res: OutgoingResponse): number {
  if (body === null) return 0;
  if (typeof body === "string") return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return res.bodyLength >= 0 ? res.bodyLength : declaredLength(res.headers);
}

/** bodyForbidden tells whether a status never carries content (RFC 9110 §6.4.1). */
export function bodyForbidden(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}
