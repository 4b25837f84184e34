// The fetch bridge: turns each engine Exchange into a Request, calls the app's fetch handler,
// and hands the Response it returns back to the engine. A thrown HttpError becomes its response;
// any other fault becomes a logged 500.
import type { Exchange } from "../http/exchange.js";
import { HttpError } from "./http-error.js";
import { IncomingRequest } from "./incoming-request.js";
import { LightResponse, NativeResponse } from "./light-response.js";
import { toOutgoing } from "./to-outgoing.js";

/** FetchApp is the application side of the bridge. */
export interface FetchApp<S> {
  fetch(request: Request, server: S): Response | undefined | void | Promise<Response | undefined | void>;
  error?: ((error: unknown) => Response | Promise<Response>) | undefined;
  /** log reports handler faults; the client only ever sees a generic 500. */
  log(error: unknown): void;
  /** defaultAuthority names the authority of a request that named none (HTTP/1.0 without Host). */
  defaultAuthority(exchange: Exchange): string;
}

const INTERNAL_ERROR = { status: 500, statusText: "", headers: ["Content-Type", "text/plain; charset=utf-8"], body: "Internal Server Error\n", bodyLength: -1 };

/** createFetchListener returns the engine's onExchange callback for an app. */
export function createFetchListener<S>(app: FetchApp<S>, server: S): (exchange: Exchange) => void {
  const fail = (ex: Exchange, err: unknown, handled = false, req?: Request): void => {
    // The client left: the fault is no one's concern, but the engine must still learn that the
    // handler is done (an HTTP/2 stream's concurrency slot is held until then); it drops the answer.
    if (ex.aborted) return ex.respond(INTERNAL_ERROR);
    // A deliberate error answer, not a fault: not logged, and `error` is not asked about it.
    if (err instanceof HttpError && !ex.responseStarted) return send(ex, err.toResponse(req), true);
    app.log(err);
    if (ex.responseStarted) return;
    if (app.error === undefined || handled) return ex.respond(INTERNAL_ERROR);
    let result: Response | Promise<Response>;
    try {
      result = app.error(err);
    } catch (err2) {
      return fail(ex, err2, true);
    }
    if (isResponse(result)) return send(ex, result, true);
    Promise.resolve(result).then((res) => send(ex, res, true), (err2: unknown) => fail(ex, err2, true));
  };
  const send = (ex: Exchange, res: unknown, handled = false): void => {
    if (res === undefined && ex.responseStarted) return; // upgraded, or answered by server.upgrade()
    if (!isResponse(res)) return fail(ex, new TypeError("the fetch handler must return a Response"), handled);
    try {
      const out = toOutgoing(res);
      const requestId = ex.requestId();
      if (requestId !== null) out.headers = [...out.headers, "X-Request-Id", requestId];
      ex.respond(out);
    } catch (err) {
      fail(ex, err, handled);
    }
  };
  return (ex) => {
    const req = new IncomingRequest(ex, app);
    let result: ReturnType<FetchApp<S>["fetch"]>;
    try {
      result = app.fetch(req as unknown as Request, server);
    } catch (err) {
      return fail(ex, err, false, req as unknown as Request);
    }
    if (isResponse(result)) return send(ex, result);
    Promise.resolve(result).then((res) => send(ex, res), (err: unknown) => fail(ex, err, false, req as unknown as Request));
  };
}

function isResponse(value: unknown): value is Response {
  return LightResponse.isLight(value) || value instanceof NativeResponse;
}
