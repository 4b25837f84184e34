// The Todo page in headless Chromium over HTTPS, where ALPN picks HTTP/2: the page, its assets and
// its API fetches go over h2 (Resource Timing's nextHopProtocol), adding, completing and deleting
// work, a reload shows what was saved, and the WebSocket, which sockserve serves over HTTP/1.1
// only, falls back to an HTTP/1.1 connection (a 101) so a second page still follows live.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { useTodoBrowser } from "../support/todo-browser.js";
import type { TodoJson } from "../support/todo-ws.js";

/** Hop is one Resource Timing entry: the path it fetched, who fetched it, and over which protocol. */
interface Hop {
  path: string;
  initiator: string;
  protocol: string;
}

// Runs in the page (the repo's tsconfig has no DOM lib, so it is a string).
const NAVIGATION_HOP = 'performance.getEntriesByType("navigation")[0].nextHopProtocol';
const RESOURCE_HOPS = `performance.getEntriesByType("resource").map((e) => ({ path: new URL(e.name).pathname, initiator: e.initiatorType, protocol: e.nextHopProtocol }))`;

/** handshakes records the HTTP status of every WebSocket handshake the page makes (Chromium's DevTools protocol). */
async function handshakes(page: Page): Promise<number[]> {
  const statuses: number[] = [];
  const cdp = await page.context().newCDPSession(page);
  cdp.on("Network.webSocketHandshakeResponseReceived", (event) => statuses.push(event.response.status));
  await cdp.send("Network.enable");
  return statuses;
}

describe("Todo page in Chromium over HTTP/2", { timeout: 5 * 60_000 }, () => {
  const fx = useTodoBrowser({ tls: true });
  const { open, clearAll, titles, problems } = fx;

  /** live waits until the page's WebSocket is open and the page has caught up. */
  const live = (page: Page) => page.locator("#live").waitFor({ state: "visible" });

  it("serves the page and the API over h2; adds, completes and deletes; a second page follows live over an HTTP/1.1 WebSocket; a reload keeps it all", async () => {
    await clearAll();
    const a = await open("page A");
    const b = await open("page B");
    const upgrades = await handshakes(a);
    await a.goto(fx.base);
    await b.goto(fx.base);
    await live(a);
    await live(b);
    assert.match(fx.base, /^https:/);
    assert.equal(await a.evaluate(NAVIGATION_HOP), "h2", "page A's navigation");
    assert.equal(await b.evaluate(NAVIGATION_HOP), "h2", "page B's navigation");
    // RFC 8441 would answer 200 on an h2 stream; 101 means Chromium opened an HTTP/1.1 connection for it.
    assert.deepEqual(upgrades, [101], "page A's WebSocket handshake");

    for (const title of ["Over h2", "Stays"]) {
      await a.locator("#title").fill(title);
      await a.locator("#title").press("Enter");
    }
    await titles(a, ["Over h2", "Stays"], "page A after adding two");
    await titles(b, ["Over h2", "Stays"], "page B after A added two");

    await a.getByRole("button", { name: "Mark as done: Stays" }).click();
    await b.getByRole("button", { name: "Mark as not done: Stays" }).waitFor();
    const done = (await fx.api("GET", "/api/todos?done=true")).body as { todos: TodoJson[] };
    assert.deepEqual(done.todos.map((t) => t.title), ["Stays"], "the click reached the server");

    await a.getByRole("button", { name: "Delete: Over h2" }).click();
    await titles(a, ["Stays"], "page A after deleting");
    await titles(b, ["Stays"], "page B after A deleted");

    // Every request page A made (the page's API calls included) went over h2.
    const hops = await a.evaluate<Hop[]>(RESOURCE_HOPS);
    const apiHops = hops.filter((h) => h.path.startsWith("/api/"));
    assert.deepEqual(new Set(apiHops.map((h) => h.initiator)), new Set(["fetch"]));
    const paths = new Set(apiHops.map((h) => h.path));
    assert.ok(paths.has("/api/todos") && [...paths].some((p) => /^\/api\/todos\/\d+$/.test(p)), `API fetches seen: ${[...paths].join(", ")}`);
    assert.ok(hops.some((h) => h.path === "/assets/app.js"), `resources seen: ${hops.map((h) => h.path).join(", ")}`);
    assert.deepEqual(hops.filter((h) => h.protocol !== "h2"), [], "every resource came over h2");

    // A reload (over h2 again) shows what the server kept, done state included.
    await a.reload();
    assert.equal(await a.evaluate(NAVIGATION_HOP), "h2", "the reload's navigation");
    await titles(a, ["Stays"], "page A after reloading");
    assert.equal(await a.getByRole("button", { name: "Mark as not done: Stays" }).getAttribute("aria-pressed"), "true");
    await live(a);

    // And the live path still works the other way, from B to the reloaded A.
    await b.locator("#title").fill("From B");
    await b.locator("#title").press("Enter");
    await titles(a, ["Stays", "From B"], "page A after B added one");
    assert.deepEqual(upgrades, [101, 101], "page A's second WebSocket, after the reload");
  });

  it("had no script errors, console errors or alerts on any page", () => {
    assert.deepEqual(problems, []);
  });
});
