// The health endpoint (`serve({ health: true })`): GET /.well-known/sockserve/health answers 200
// while the server is serving and 503 once it is stopping, so a balancer can take it out first.
import { requestPath } from "../fetch/incoming-request.js";
import type { Handler } from "./server.js";

/** HEALTH_PATH is where the health endpoint answers. */
export const HEALTH_PATH = "/.well-known/sockserve/health";

/** withHealth answers the health path before the app: 200 while serving, 503 while draining. */
export function withHealth(handler: Handler, stopping: () => boolean): Handler {
  return (request, server) => {
    if (request.method === "GET" || request.method === "HEAD") {
      const path = requestPath(request);
      if (path === HEALTH_PATH) {
        const draining = stopping();
        return new Response(draining ? "draining\n" : "ok\n", { status: draining ? 503 : 200, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
      }
    }
    return handler(request, server);
  };
}
