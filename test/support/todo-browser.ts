// The Todo page tests' shared fixture: the app on an ephemeral port over a fresh SQLite file (over
// HTTPS with a self-signed certificate when asked), one headless Chromium, pages that record script
// errors, console errors, failed requests and alerts, and waits on what the list shows. Registers
// its own before/after hooks in the calling describe.
import { after, before } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { chromium, request, type APIRequestContext, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { serve, type Server } from "sockserve";
import { createTodoApp } from "../../apps/todo/app.js";
import { SqliteStore } from "../../apps/todo/sqlite-store.js";
import { makeCert } from "./ops-tls.js";
import { CHROMIUM_ARGS, ensureChromium } from "./static-chromium.js";
import { api, tempDir, type TempDir } from "./todo-child.js";
import type { TodoJson } from "./todo-ws.js";

// The browser globals used by functions that run inside the page (the repo's tsconfig has no DOM lib).
declare const document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> };

/** PAGE_WAIT is how long a page wait may take, in ms. */
export const PAGE_WAIT = 10_000;

/** TodoBrowser is the fixture: `base` is set once the hooks have run. */
export interface TodoBrowser {
  base: string;
  /** problems collects what went wrong on any page (script errors, console errors, 4xx/5xx, dialogs). */
  problems: string[];
  /** open makes a page in a fresh context; `initScript` runs before the page's own scripts. */
  open(label: string, options?: BrowserContextOptions & { initScript?: string }): Promise<Page>;
  /** api sends a JSON request (or none) to the app and returns the status and parsed body. */
  api(method: string, target: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** clearAll deletes every todo through the API. */
  clearAll(): Promise<void>;
  /** titles waits until the list shows exactly `expected` (in order, each once). */
  titles(page: Page, expected: string[], label: string): Promise<void>;
}

/** TodoBrowserOptions: `tls` serves the app over HTTPS (ALPN offers h2) with a self-signed certificate the pages accept. */
export interface TodoBrowserOptions {
  tls?: boolean;
}

/** useTodoBrowser registers the fixture's before/after hooks and returns it. */
export function useTodoBrowser(fixture: TodoBrowserOptions = {}): TodoBrowser {
  let dir: TempDir;
  let store: SqliteStore;
  let server: Server;
  let browser: Browser;
  // Over HTTPS the API calls go through Playwright's client, which can accept the self-signed certificate.
  let client: APIRequestContext | undefined;
  const contexts: BrowserContext[] = [];
  const fx: TodoBrowser = {
    base: "",
    problems: [],
    async open(label, options = {}) {
      const { initScript, ...contextOptions } = options;
      const context = await browser.newContext({ viewport: { width: 900, height: 700 }, ignoreHTTPSErrors: client !== undefined, ...contextOptions });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(PAGE_WAIT);
      if (initScript !== undefined) await page.addInitScript({ content: initScript });
      watch(page, label, fx.problems);
      return page;
    },
    async api(method, target, body) {
      if (client === undefined) return api(fx.base, method, target, body);
      const res = await client.fetch(new URL(target, fx.base).href, { method, ...(body === undefined ? {} : { data: body }) });
      const text = await res.text();
      return { status: res.status(), body: text === "" ? null : JSON.parse(text) };
    },
    async clearAll() {
      const { todos } = (await fx.api("GET", "/api/todos?limit=500")).body as { todos: TodoJson[] };
      for (const t of todos) await fx.api("DELETE", `/api/todos/${t.id}`);
    },
    async titles(page, expected, label) {
      try {
        await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll("#todos li .title")].map((e) => e.textContent)) === JSON.stringify(want), expected, { timeout: PAGE_WAIT });
      } catch {
        const have = await page.locator("#todos li .title").allTextContents();
        assert.fail(`${label}: expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(have)}`);
      }
    },
  };
  before(async () => {
    const executablePath = await ensureChromium();
    dir = await tempDir();
    store = new SqliteStore(path.join(dir.dir, "todo.db"));
    const app = createTodoApp(store);
    const cert = fixture.tls === true ? makeCert(dir.dir, "todo", "localhost") : undefined;
    const tls = cert === undefined ? {} : { tls: { cert: cert.cert, key: cert.key } };
    server = await serve({ port: 0, hostname: "127.0.0.1", routes: app.routes, fetch: app.fetch, websocket: app.websocket, ...tls });
    app.attach(server);
    fx.base = server.url.href;
    if (cert !== undefined) client = await request.newContext({ ignoreHTTPSErrors: true });
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await client?.dispose();
    await browser?.close();
    await server?.stop(true);
    await store?.close();
    await dir?.remove();
  });
  return fx;
}

function watch(page: Page, label: string, problems: string[]): void {
  page.on("pageerror", (err) => problems.push(`${label}: page error: ${err.message}`));
  page.on("console", (msg) => {
    // The page declares no icon, so Chromium's own /favicon.ico probe gets a 404: not the app's doing.
    if (msg.type() === "error" && !msg.location().url.endsWith("/favicon.ico")) problems.push(`${label}: console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`${label}: ${res.request().method()} ${new URL(res.url()).pathname} answered ${res.status()}`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`${label}: unexpected ${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
}
