// h2-get.js: the check GET of the HTTP/2 cases, with node:http2's client: h2c with prior
// knowledge (RFC 9113 §3.3) on plain TCP, or TLS with ALPN `h2` (§3.2). A server that does not
// speak HTTP/2 there fails the check with one line saying so, and its peer's round fails.
import http2 from "node:http2";

/**
 * h2Get does one `GET urlPath` over HTTP/2 on 127.0.0.1:port and resolves to { status, body },
 * or rejects with an error naming what failed (the connection, the TLS handshake's protocol,
 * the stream) within timeoutMs.
 */
export function h2Get(port, urlPath, tls, timeoutMs = 5000) {
  const how = tls ? "TLS with ALPN h2" : "h2c with prior knowledge";
  return new Promise((resolve, reject) => {
    // The benchmark's own throwaway certificate: nothing to verify it against.
    const session = http2.connect(`${tls ? "https" : "http"}://127.0.0.1:${port}`, tls ? { rejectUnauthorized: false } : {});
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function fail(err) {
      clearTimeout(timer);
      session.destroy();
      const why = `${err.code ? `${err.code}: ` : ""}${err.message}`.replace(/\s+/g, " ").trim();
      reject(new Error(`does not answer GET ${urlPath} over HTTP/2 (${how}): ${why}`));
    }
    session.on("error", fail);
    session.on("close", () => fail(new Error("the connection closed before the response")));
    const stream = session.request({ ":method": "GET", ":path": urlPath });
    const chunks = [];
    let status = null;
    stream.on("response", (headers) => (status = headers[":status"]));
    stream.on("data", (b) => chunks.push(b));
    stream.on("error", fail);
    stream.on("end", () => {
      clearTimeout(timer);
      session.removeAllListeners("close");
      session.close();
      if (status == null) reject(new Error(`answered GET ${urlPath} over HTTP/2 with no response headers`));
      else resolve({ status, body: Buffer.concat(chunks) });
    });
  });
}
