// The Todo page in headless Chromium when no WebSocket gets through (a proxy that drops them): the
// page applies the answers of its own POST, PATCH and DELETE at once, and a reload shows the same
// list. With WebSockets working, the broadcast of a change (its own or another client's) shows once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { PAGE_WAIT, useTodoBrowser } from "../support/todo-browser.js";
import { api } from "../support/todo-child.js";
import type { TodoJson } from "../support/todo-ws.js";

// The browser globals the page functions use (the repo's tsconfig has no DOM lib).
declare const window: { wsAttempts: number; wsMessages: number };

/** Two ways a WebSocket fails: the constructor throws, or the socket errors and closes at once. */
const BLOCKERS: Record<string, string> = {
  "the WebSocket constructor throws": `{
    window.wsAttempts = 0;
    window.WebSocket = class { constructor() { window.wsAttempts++; throw new DOMException("blocked by the test", "SecurityError"); } };
  }`,
  "every WebSocket errors and closes before it opens": `{
    window.wsAttempts = 0;
    window.WebSocket = class extends EventTarget {
      constructor() {
        super();
        window.wsAttempts++;
        this.readyState = 0;
        setTimeout(() => { this.readyState = 3; this.dispatchEvent(new Event("error")); this.dispatchEvent(new CloseEvent("close", { code: 1006 })); }, 0);
      }
      close() {}
      send() { throw new DOMException("not open", "InvalidStateError"); }
    };
  }`,
};

/** COUNT_MESSAGES keeps the real WebSocket and counts the messages the page receives. */
const COUNT_MESSAGES = `{
  const Native = window.WebSocket;
  window.wsMessages = 0;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener("message", () => window.wsMessages++);
    }
  };
}`;

describe("Todo page without WebSockets, and without duplicates with them", { timeout: 5 * 60_000 }, () => {
  const fx = useTodoBrowser();
  const { clearAll, problems, titles: shows } = fx;
  const open = (label: string, initScript: string): Promise<Page> => fx.open(label, { initScript });

  const doneTitles = (page: Page): Promise<string[]> => page.locator("#todos li.done .title").allTextContents();

  for (const [name, blocker] of Object.entries(BLOCKERS)) {
    it(`${name}: add, toggle and delete show at once, and a reload shows the same list`, async () => {
      await clearAll();
      problems.length = 0;
      const page = await open(name, blocker);
      await page.goto(fx.base);
      for (const [i, title] of ["Milk", "Bread", "Eggs"].entries()) {
        await page.locator("#title").fill(title);
        await page.locator("#title").press("Enter");
        await shows(page, ["Milk", "Bread", "Eggs"].slice(0, i + 1), `after adding ${title}`);
      }
      await page.getByRole("button", { name: "Mark as done: Bread" }).click();
      await page.locator("#todos li.done").waitFor();
      assert.deepEqual(await doneTitles(page), ["Bread"]);
      assert.equal(await page.locator("#count").textContent(), "2 left");
      await page.getByRole("button", { name: "Delete: Milk" }).click();
      await shows(page, ["Bread", "Eggs"], "after deleting Milk");
      await page.getByRole("button", { name: "Mark as not done: Bread" }).click();
      await page.locator("#todos li.done").waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Mark as done: Eggs" }).click();
      await page.locator("#todos li.done").waitFor();
      assert.equal(await page.locator("#live").isHidden(), true, "no live badge without a WebSocket");
      assert.ok((await page.evaluate(() => window.wsAttempts)) >= 1, "the page did try a WebSocket (the blocker was in place)");
      assert.equal(page.url(), fx.base, "nothing navigated: the answers were applied by the script");

      await page.reload();
      await shows(page, ["Bread", "Eggs"], "after a reload");
      assert.deepEqual(await doneTitles(page), ["Eggs"], "the reload shows the same done state");
      const stored = (await api(fx.base, "GET", "/api/todos")).body as { todos: TodoJson[] };
      assert.deepEqual(stored.todos.map((t) => [t.title, t.done]), [["Bread", false], ["Eggs", true]]);
      assert.deepEqual(problems, []);
      await page.context().close();
    });
  }

  it("with WebSockets, its own change and another client's each appear exactly once", async () => {
    await clearAll();
    problems.length = 0;
    const page = await open("live", COUNT_MESSAGES);
    await page.goto(fx.base);
    await page.locator("#live").waitFor({ state: "visible" });
    const messages = async (n: number): Promise<void> => {
      await page.waitForFunction((want) => window.wsMessages >= want, n, { timeout: PAGE_WAIT });
    };

    await page.locator("#title").fill("mine");
    await page.locator("#title").press("Enter");
    await shows(page, ["mine"], "after adding its own");
    await messages(1); // the broadcast of its own add has arrived too
    await shows(page, ["mine"], "after the echo of its own add");

    const theirs = (await api(fx.base, "POST", "/api/todos", { title: "theirs" })).body as TodoJson;
    await shows(page, ["mine", "theirs"], "after another client added one");
    await messages(2);
    await api(fx.base, "PATCH", `/api/todos/${theirs.id}`, { done: true });
    await messages(3);
    await page.locator("#todos li.done").waitFor();
    await shows(page, ["mine", "theirs"], "after another client completed one");
    assert.equal(await page.locator("#count").textContent(), "1 left");

    await page.getByRole("button", { name: "Delete: mine" }).click();
    await shows(page, ["theirs"], "after deleting its own");
    await messages(4);
    await shows(page, ["theirs"], "after the echo of its own delete");
    assert.deepEqual(problems, []);
    await page.context().close();
  });
});
