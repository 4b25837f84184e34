// BodyReader: how a streamed response body reaches an engine (a ReadableStream reader fits it),
// and the one way to release a body that will not be sent.

/** BodyReader is the engine's view of a streamed response body (a ReadableStream reader fits it). */
export interface BodyReader {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(reason?: unknown): unknown;
  /**
   * recycle, when present, is called once for a chunk from read() when the socket no longer
   * needs its bytes, so the reader may reuse the memory. It is not called for chunks that never
   * reached the socket, nor when the socket is not a net.Socket (which may keep the chunk).
   */
  recycle?(chunk: Uint8Array): void;
}

/** ResponseBody is every kind of body an engine can send. */
export type ResponseBody = null | string | Uint8Array | BodyReader;

/** isReader tells a streamed body from a string or bytes. */
export function isReader(body: ResponseBody): body is BodyReader {
  return body !== null && typeof body === "object" && !(body instanceof Uint8Array);
}

/** cancelBody releases a streamed body that will not be sent; a reader that throws has nothing left to release. */
export function cancelBody(body: ResponseBody): void {
  if (!isReader(body)) return;
  try {
    void Promise.resolve(body.cancel()).catch(() => {});
  } catch {
    // nothing to release
  }
}
