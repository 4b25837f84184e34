// The Todo page in headless Chromium (playwright-core, Debian's /usr/bin/chromium, installed with
// apt-get when missing): adding, completing and deleting through the page while a second page in
// another context follows every change live; the page without JavaScript (forms and redirects);
// a phone-sized viewport. Screenshots: artifacts/todo.png (phone) and artifacts/todo-desktop.png.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, REPO } from "../support/todo-child.js";
import { useTodoBrowser } from "../support/todo-browser.js";
import type { TodoJson } from "../support/todo-ws.js";

const ARTIFACTS = path.join(REPO, "artifacts");

// The browser globals used by functions that run inside the page (the repo's tsconfig has no DOM lib).
interface PageElement {
  textContent: string | null;
  value?: string;
}
interface PageSocket {
  close(): void;
}
declare const document: {
  getElementById(id: string): PageElement | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};
declare const window: { innerWidth: number; marker?: number; sockets: PageSocket[] };

/** RECORD_SOCKETS wraps the page's WebSocket constructor to keep every socket in window.sockets. */
const RECORD_SOCKETS = `{
  const Native = window.WebSocket;
  window.sockets = [];
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      window.sockets.push(this);
    }
  };
}`;

describe("Todo page in Chromium", { timeout: 15 * 60_000 }, () => {
  const fx = useTodoBrowser();
  const { open, clearAll, titles, problems } = fx;
  before(() => mkdir(ARTIFACTS, { recursive: true }));

  /** live waits until the page's WebSocket is open and the page has caught up. */
  async function live(page: Page): Promise<void> {
    await page.locator("#live").waitFor({ state: "visible" });
  }

  /** submit runs `act` (a click or Enter in a form) and waits for the POST's 303 and the GET of the page it leads to. */
  async function submit(page: Page, act: () => Promise<void>, landing = "/"): Promise<void> {
    const posted = page.waitForResponse((r) => r.request().method() === "POST");
    const landed = page.waitForResponse((r) => r.request().method() === "GET" && r.request().isNavigationRequest() && new URL(r.url()).pathname + new URL(r.url()).search === landing);
    await act();
    assert.equal((await posted).status(), 303);
    assert.equal((await landed).status(), 200);
    await page.waitForLoadState("load");
  }

  const item = (page: Page, title: string) => page.locator("#todos li").filter({ has: page.locator(".title", { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }) });

  it("adds three todos, completes one and deletes one; a second page follows each change live, without reloading", async () => {
    await clearAll();
    const a = await open("page A");
    const b = await open("page B");
    await a.goto(fx.base);
    await b.goto(fx.base);
    await live(a);
    await live(b);
    // Anything that reloads B would lose this marker and show up as a navigation.
    await b.evaluate(() => (window.marker = 42));
    let navigations = 0;
    b.on("framenavigated", (frame) => {
      if (frame === b.mainFrame()) navigations++;
    });
    assert.equal(await b.locator("#count").textContent(), "0 left");
    assert.equal(await b.locator("#clear").isDisabled(), true);

    const added: string[] = [];
    for (const title of ["Buy milk", "Write tests", "Call <Mom> & \"Dad\""]) {
      await a.locator("#title").fill(title);
      await a.locator("#title").press("Enter");
      added.push(title);
      await titles(a, added, `page A after adding ${title}`);
      await titles(b, added, `page B after A added ${title}`);
      // The input clears when A's POST is answered; the live update may show the todo first.
      await a.waitForFunction(() => document.getElementById("title")?.value === "", undefined, { timeout: 5000 });
      assert.equal(await a.locator("#title").inputValue(), "", "the input is cleared after adding");
    }
    assert.equal(await b.locator("#count").textContent(), "3 left");
    assert.equal(a.url(), fx.base, "adding with JavaScript does not navigate");

    // Complete "Write tests" on A.
    await a.getByRole("button", { name: "Mark as done: Write tests" }).click();
    await item(b, "Write tests").and(b.locator("li.done")).waitFor();
    assert.equal(await item(b, "Write tests").getAttribute("class"), "todo done");
    assert.equal(await b.getByRole("button", { name: "Mark as not done: Write tests" }).getAttribute("aria-pressed"), "true");
    await b.waitForFunction(() => document.getElementById("count")!.textContent === "2 left");
    assert.equal(await b.locator("#clear").textContent(), "Clear completed (1)");
    assert.equal(await b.locator("#clear").isEnabled(), true);
    const done = (await api(fx.base, "GET", "/api/todos?done=true")).body as { todos: TodoJson[] };
    assert.deepEqual(done.todos.map((t) => t.title), ["Write tests"], "the click reached the server");

    // Delete "Buy milk" on A.
    await a.getByRole("button", { name: "Delete: Buy milk" }).click();
    await titles(b, ["Write tests", 'Call <Mom> & "Dad"'], "page B after A deleted Buy milk");
    await titles(a, ["Write tests", 'Call <Mom> & "Dad"'], "page A after deleting Buy milk");
    assert.equal(await b.locator("#count").textContent(), "1 left");

    // A change made on B reaches A too, and Clear completed works from the page.
    await b.locator("#clear").click();
    await titles(a, ['Call <Mom> & "Dad"'], "page A after B cleared completed");
    await titles(b, ['Call <Mom> & "Dad"'], "page B after clearing completed");
    assert.equal(await a.locator("#clear").isDisabled(), true);

    // The title with markup is text, not HTML, on both pages.
    for (const page of [a, b]) assert.equal(await page.locator("#todos li .title").first().innerHTML(), "Call &lt;Mom&gt; &amp; \"Dad\"");

    assert.equal(navigations, 0, "page B never navigated");
    assert.equal(await b.evaluate(() => window.marker), 42, "page B was never reloaded");

    await a.screenshot({ path: path.join(ARTIFACTS, "todo-desktop.png"), fullPage: true });
    await a.context().close();
    await b.context().close();
  });

  it("a page whose WebSocket dropped reconnects and catches up on what it missed", async () => {
    await clearAll();
    const page = await open("reconnect");
    // Keep a handle on the page's sockets so the test can drop them from the client side.
    await page.addInitScript({ content: RECORD_SOCKETS });
    await page.goto(fx.base);
    await live(page);
    await api(fx.base, "POST", "/api/todos", { title: "before the drop" });
    await titles(page, ["before the drop"], "before the drop");
    await page.evaluate(() => window.sockets.forEach((ws) => ws.close()));
    await page.locator("#live").waitFor({ state: "hidden" });
    // Made while the page has no socket (it waits 500 ms before reconnecting).
    await api(fx.base, "POST", "/api/todos", { title: "while disconnected" });
    await live(page);
    await titles(page, ["before the drop", "while disconnected"], "after reconnecting");
    assert.equal(await page.evaluate(() => window.sockets.length), 2, "one reconnect");
    await api(fx.base, "POST", "/api/todos", { title: "after the reconnect" });
    await titles(page, ["before the drop", "while disconnected", "after the reconnect"], "live again");
    await page.context().close();
  });

  it("works with JavaScript disabled: the form adds (a reload shows the todo), toggles and deletes", async () => {
    await clearAll();
    const watcher = await open("watcher");
    await watcher.goto(fx.base);
    await live(watcher);
    const page = await open("no JavaScript", { javaScriptEnabled: false });
    const first = await page.goto(fx.base);
    assert.equal(first?.status(), 200);
    assert.equal(await page.locator("#live").isVisible(), false, "no live indicator without JavaScript");

    await page.locator("#title").fill("Added without JS <b>");
    await submit(page, () => page.getByRole("button", { name: "Add" }).click());
    await titles(page, ["Added without JS <b>"], "after the form post");
    assert.equal(page.url(), fx.base, "the 303 led back to /");
    assert.equal(await page.locator("#count").textContent(), "1 left");
    await titles(watcher, ["Added without JS <b>"], "the JavaScript page sees the no-JS add live");

    await submit(page, () => page.getByRole("button", { name: "Mark as done: Added without JS <b>" }).click());
    assert.equal(await item(page, "Added without JS <b>").getAttribute("class"), "todo done");
    assert.equal(await page.locator("#count").textContent(), "0 left");
    await item(watcher, "Added without JS <b>").and(watcher.locator("li.done")).waitFor();

    await page.locator("#title").fill("Second");
    await submit(page, () => page.locator("#title").press("Enter"));
    await titles(page, ["Added without JS <b>", "Second"], "after adding a second");

    await submit(page, () => page.getByRole("button", { name: "Delete: Second" }).click());
    await titles(page, ["Added without JS <b>"], "after deleting with the form");
    await submit(page, () => page.getByRole("button", { name: /^Clear completed/ }).click());
    await titles(page, [], "after clearing completed with the form");
    await titles(watcher, [], "the JavaScript page follows the no-JS clear");

    // The error path: a title of spaces passes `required` but not the server.
    await page.locator("#title").fill("   ");
    await submit(page, () => page.getByRole("button", { name: "Add" }).click(), `/?error=${encodeURIComponent("title must not be empty")}`);
    assert.equal(await page.getByRole("alert").textContent(), "title must not be empty");
    await page.context().close();
    await watcher.context().close();
  });

  it("fits a phone (375x667): no sideways scrolling, tappable controls, long titles wrap", async () => {
    await clearAll();
    for (const title of ["Pick up the dry cleaning before six", "Email the landlord about the heating", "x".repeat(120), "Book the dentist"]) {
      await api(fx.base, "POST", "/api/todos", { title });
    }
    const { todos } = (await api(fx.base, "GET", "/api/todos")).body as { todos: TodoJson[] };
    await api(fx.base, "PATCH", `/api/todos/${todos[1].id}`, { done: true });

    const page = await open("phone", { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.goto(fx.base);
    await live(page);
    await titles(page, todos.map((t) => t.title), "the phone page");
    const width = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, inner: window.innerWidth }));
    assert.equal(width.inner, 375, "the viewport meta makes the layout viewport the phone's width");
    assert.ok(width.scroll <= width.client, `the page scrolls sideways: ${JSON.stringify(width)}`);

    for (const locator of [page.locator("#title"), page.getByRole("button", { name: "Add" }), page.locator("#clear")]) {
      const box = (await locator.boundingBox())!;
      assert.ok(box.x >= 0 && box.x + box.width <= 375, `${await locator.evaluate((e) => e.outerHTML.slice(0, 60))} sticks out: ${JSON.stringify(box)}`);
    }
    for (const button of await page.locator("#todos li button").all()) {
      const box = (await button.boundingBox())!;
      assert.ok(box.width >= 24 && box.height >= 24, `a list button is smaller than 24x24 CSS px: ${JSON.stringify(box)}`);
      assert.ok(box.x + box.width <= 375, `a list button sticks out: ${JSON.stringify(box)}`);
    }
    const long = (await item(page, "x".repeat(120)).locator(".title").boundingBox())!;
    assert.ok(long.x + long.width <= 375 && long.height > 30, `the long title does not wrap: ${JSON.stringify(long)}`);

    // Tapping works too.
    await page.getByRole("button", { name: "Mark as done: Book the dentist" }).tap();
    await item(page, "Book the dentist").and(page.locator("li.done")).waitFor();
    await page.locator("#title").fill("Added on the phone");
    await page.getByRole("button", { name: "Add" }).tap();
    await titles(page, [...todos.map((t) => t.title), "Added on the phone"], "after adding on the phone");

    await page.screenshot({ path: path.join(ARTIFACTS, "todo.png"), fullPage: true });
    await page.context().close();
  });

  it("had no script errors, console errors or alerts on any page", () => {
    assert.deepEqual(problems, []);
  });
});
