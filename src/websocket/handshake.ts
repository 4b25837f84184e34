// The opening handshake (RFC 6455 §4.2): checking a client's upgrade request and choosing the
// fields of the answer. The engine writes the answer itself (HTTP/1.1: a 101 with Upgrade).
import { createHash } from "node:crypto";
import type { HttpProtocol } from "../http/exchange.js";
import { hasToken } from "../http/fields.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** HandshakeCheck is the verdict on an upgrade request. */
export type HandshakeCheck =
  | { ok: true; key: string; protocols: string[]; extensions: string | null }
  | { ok: false; status: 400 | 426; reason: string };

/** checkHandshake validates the request's method, protocol and fields (RFC 6455 §4.2.1). */
export function checkHandshake(method: string, protocol: HttpProtocol, field: (lowerName: string) => string | null): HandshakeCheck {
  if (method !== "GET" || protocol !== "HTTP/1.1") return { ok: false, status: 400, reason: "a WebSocket handshake is an HTTP/1.1 GET" };
  if (!hasToken(field("upgrade"), "websocket")) return { ok: false, status: 400, reason: "Upgrade must name websocket" };
  if (!hasToken(field("connection"), "upgrade")) return { ok: false, status: 400, reason: "Connection must list upgrade" };
  if (field("sec-websocket-version")?.trim() !== "13") return { ok: false, status: 426, reason: "only Sec-WebSocket-Version 13 is supported" };
  const key = field("sec-websocket-key")?.trim() ?? "";
  // RFC 6455 §4.1: the key is a base64-encoded 16-byte value, which is always 24 characters.
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return { ok: false, status: 400, reason: "Sec-WebSocket-Key must be 16 bytes in base64" };
  const protocolField = field("sec-websocket-protocol");
  const protocols = protocolField === null ? [] : protocolField.split(",").map((p) => p.trim()).filter((p) => p !== "");
  return { ok: true, key, protocols, extensions: field("sec-websocket-extensions") };
}

/** acceptValue computes Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
export function acceptValue(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

/**
 * acceptFields lists the fields of the server's answer (RFC 6455 §4.2.2) besides Upgrade and
 * Connection, which belong to the engine: the accept value, the chosen subprotocol and
 * extensions, and the app's extra fields. Flat: [name, value, ...].
 */
export function acceptFields(key: string, protocol: string | null, extensions: string | null, extra: [string, string][]): string[] {
  const fields = ["Sec-WebSocket-Accept", acceptValue(key)];
  if (protocol !== null) fields.push("Sec-WebSocket-Protocol", protocol);
  if (extensions !== null) fields.push("Sec-WebSocket-Extensions", extensions);
  for (const [name, value] of extra) fields.push(name, value);
  return fields;
}
