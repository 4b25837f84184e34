// `sockserve app.js`: load a module whose default export is a fetch app, the shape
// `bun run`, `deno serve` and Workers share: { fetch(request, server), websocket?, routes?, port? }.
import { pathToFileURL } from "node:url";
import type { ServeOptions } from "../index.js";

/** AppModule is the part of an app's default export that serve() takes. */
export interface AppModule {
  fetch?: ServeOptions["fetch"];
  routes?: ServeOptions["routes"];
  websocket?: ServeOptions["websocket"];
  port?: number;
}

/** AppModuleError is an app file that cannot be served: one line for stderr, and its exit code. */
export class AppModuleError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** isAppPath tells whether a CLI argument names an app module rather than a directory. */
export function isAppPath(arg: string): boolean {
  return /\.m?js$/i.test(arg);
}

/** loadApp imports `file` and returns its default export, or throws AppModuleError. */
export async function loadApp(file: string, shown: string): Promise<AppModule> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new AppModuleError(`cannot load ${shown}: ${firstLine(err)}`, 1);
  }
  return appOf(module.default, shown);
}

/**
 * appOf checks a default export: an object with a fetch function, or plain-object routes (Hono's
 * app has a `routes` array of its own, which is not serve()'s routes and is left out).
 */
export function appOf(value: unknown, shown: string): AppModule {
  const app = (typeof value === "object" || typeof value === "function") && value !== null ? (value as Record<string, unknown>) : {};
  const fetch = typeof app.fetch === "function" ? (app.fetch as ServeOptions["fetch"]) : undefined;
  const routes = isPlainObject(app.routes) ? (app.routes as ServeOptions["routes"]) : undefined;
  if (fetch === undefined && routes === undefined) {
    throw new AppModuleError(`${shown} has no default export with a fetch(request, server) method (export default { fetch(request) { ... } })`, 2);
  }
  const port = app.port;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw new AppModuleError(`${shown}: the default export's port must be a whole number from 0 to 65535, not ${String(port)}`, 2);
  }
  return {
    ...(fetch !== undefined ? { fetch: fetch.bind(value) } : {}),
    ...(routes !== undefined ? { routes } : {}),
    ...(isPlainObject(app.websocket) ? { websocket: app.websocket as unknown as ServeOptions["websocket"] } : {}),
    ...(port !== undefined ? { port: port as number } : {}),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split("\n")[0];
}
