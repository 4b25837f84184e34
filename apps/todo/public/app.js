// Progressive enhancement for the Todo page: the forms go through the JSON API, and a WebSocket
// brings every change made in any tab (or on any server sharing the database).
"use strict";
(() => {
  const list = document.getElementById("todos");
  const count = document.getElementById("count");
  const clear = document.getElementById("clear");
  const live = document.getElementById("live");
  const todos = new Map();

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
    toggle.addEventListener("click", () => api("PATCH", `/api/todos/${todo.id}`, { done: !todo.done }));
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = todo.title;
    const del = document.createElement("button");
    del.setAttribute("aria-label", `Delete: ${todo.title}`);
    del.textContent = "×";
    del.addEventListener("click", () => api("DELETE", `/api/todos/${todo.id}`));
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

  function apply(change) {
    if (change.type === "upsert") todos.set(change.todo.id, change.todo);
    else if (change.type === "delete") todos.delete(change.id);
    else if (change.type === "clear") for (const id of change.ids) todos.delete(id);
    render();
  }

  document.querySelector("form.add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("title");
    const res = await api("POST", "/api/todos", { title: input.value });
    if (res.ok) input.value = "";
  });
  clear.closest("form").addEventListener("submit", (event) => {
    event.preventDefault();
    api("POST", "/api/todos/clear-completed");
  });
  for (const form of list.querySelectorAll("form")) form.addEventListener("submit", (e) => e.preventDefault());
  render();

  let delay = 500;
  function connect() {
    const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.addEventListener("open", async () => {
      delay = 500;
      live.hidden = false;
      // Catch up on anything missed while disconnected.
      const res = await fetch("/api/todos?limit=500", { headers: { Accept: "application/json" } });
      const { todos: fresh } = await res.json();
      todos.clear();
      for (const t of fresh) todos.set(t.id, t);
      render();
    });
    ws.addEventListener("message", (event) => apply(JSON.parse(event.data)));
    ws.addEventListener("close", () => {
      live.hidden = true;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    });
  }
  connect();
})();
