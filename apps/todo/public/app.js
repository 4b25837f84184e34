// Progressive enhancement for the Todo page: the forms go through the JSON API and the page shows
// each answer at once; a WebSocket, when one gets through, brings the changes made elsewhere.
"use strict";
(() => {
  const list = document.getElementById("todos");
  const count = document.getElementById("count");
  const clear = document.getElementById("clear");
  const live = document.getElementById("live");
  const todos = new Map();
  // Ids this page has seen deleted: a late or repeated upsert must not bring them back (ids are never reused).
  const gone = new Set();

  for (const li of list.querySelectorAll("li.todo")) {
    todos.set(Number(li.dataset.id), { id: Number(li.dataset.id), title: li.querySelector(".title").textContent, done: li.classList.contains("done"), version: Number(li.dataset.version) });
  }

  function render() {
    const items = [...todos.values()].sort((a, b) => (a.order ?? a.id) - (b.order ?? b.id) || a.id - b.id);
    list.replaceChildren(...items.map(row));
    const left = items.filter((t) => !t.done).length;
    count.textContent = `${left} left`;
    clear.textContent = `Clear completed (${items.length - left})`;
    clear.disabled = items.length === left;
  }

  function row(todo) {
    const li = document.createElement("li");
    li.className = `todo${todo.done ? " done" : ""}`;
    li.dataset.id = todo.id;
    const toggle = document.createElement("button");
    toggle.setAttribute("aria-pressed", String(todo.done));
    toggle.setAttribute("aria-label", `${todo.done ? "Mark as not done" : "Mark as done"}: ${todo.title}`);
    toggle.textContent = todo.done ? "✓" : "";
    toggle.addEventListener("click", async () => answered(todo.id, await api("PATCH", `/api/todos/${todo.id}`, { done: !todo.done })));
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = todo.title;
    const del = document.createElement("button");
    del.setAttribute("aria-label", `Delete: ${todo.title}`);
    del.textContent = "×";
    del.addEventListener("click", async () => answered(todo.id, await api("DELETE", `/api/todos/${todo.id}`)));
    const wrap = (cls, el) => Object.assign(document.createElement("div"), { className: cls }).appendChild(el).parentNode;
    li.append(wrap("toggle", toggle), title, wrap("delete", del));
    return li;
  }

  async function api(method, path, body) {
    const res = await fetch(path, { method, headers: body ? { "Content-Type": "application/json", Accept: "application/json" } : { Accept: "application/json" }, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok && res.status !== 404) {
      const err = await res.json().catch(() => ({ error: res.statusText }));
      alert(err.error);
    }
    return res;
  }

  /** upsert keeps the newest version of a todo; the echo of this page's own change is a no-op. */
  function upsert(todo) {
    const have = todos.get(todo.id);
    if (gone.has(todo.id) || (have !== undefined && have.version >= todo.version)) return false;
    todos.set(todo.id, todo);
    return true;
  }

  function remove(id) {
    gone.add(id);
    return todos.delete(id);
  }

  /** apply takes a change from this page's own answers or from the WebSocket, and renders if it changed anything. */
  function apply(change) {
    let changed = false;
    if (change.type === "upsert") changed = upsert(change.todo);
    else if (change.type === "delete") changed = remove(change.id);
    else if (change.type === "clear") for (const id of change.ids) changed = remove(id) || changed;
    if (changed) render();
  }

  /** answered applies the API's answer about todo `id`: the todo as it now is, or gone. */
  async function answered(id, res) {
    if (res.status === 204 || res.status === 404) apply({ type: "delete", id });
    else if (res.ok) apply({ type: "upsert", todo: await res.json() });
  }

  document.querySelector("form.add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("title");
    const res = await api("POST", "/api/todos", { title: input.value });
    if (!res.ok) return;
    input.value = "";
    apply({ type: "upsert", todo: await res.json() });
  });
  clear.closest("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const res = await api("POST", "/api/todos/clear-completed");
    if (res.ok) apply({ type: "clear", ids: (await res.json()).ids });
  });
  for (const form of list.querySelectorAll("form")) form.addEventListener("submit", (e) => e.preventDefault());
  render();

  let delay = 500;
  function retry() {
    live.hidden = true;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 10000);
  }
  function connect() {
    let ws;
    try {
      ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    } catch {
      return retry(); // blocked outright: the page works without it, and tries again later
    }
    ws.addEventListener("open", async () => {
      delay = 500;
      live.hidden = false;
      // Catch up on anything missed while disconnected; what this page knows newer, or deleted, stays so.
      const res = await fetch("/api/todos?limit=500", { headers: { Accept: "application/json" } });
      const { todos: fresh } = await res.json();
      const known = new Map(todos);
      todos.clear();
      for (const t of fresh) {
        const have = known.get(t.id);
        if (!gone.has(t.id)) todos.set(t.id, have !== undefined && have.version > t.version ? have : t);
      }
      render();
    });
    ws.addEventListener("message", (event) => apply(JSON.parse(event.data)));
    ws.addEventListener("close", retry);
  }
  connect();
})();
