// The server-rendered page. It works without JavaScript (forms post and redirect); with it,
// public/app.js takes over the forms and follows changes live over a WebSocket.
import type { Todo } from "./store.js";

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function item(todo: Todo): string {
  const id = todo.id;
  return `<li class="todo${todo.done ? " done" : ""}" data-id="${id}" data-version="${todo.version}">
  <form method="post" action="/todos/${id}/toggle" class="toggle"><button type="submit" aria-pressed="${todo.done}" aria-label="${todo.done ? "Mark as not done" : "Mark as done"}: ${escape(todo.title)}">${todo.done ? "✓" : ""}</button></form>
  <span class="title">${escape(todo.title)}</span>
  <form method="post" action="/todos/${id}/delete" class="delete"><button type="submit" aria-label="Delete: ${escape(todo.title)}">×</button></form>
</li>`;
}

/** renderPage renders the whole list; `error` is shown above the form after a bad submission. */
export function renderPage(todos: Todo[], error = ""): string {
  const left = todos.filter((t) => !t.done).length;
  const done = todos.length - left;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Todos</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<main>
<h1>Todos</h1>
${error === "" ? "" : `<p class="error" role="alert">${escape(error)}</p>`}
<form method="post" action="/todos" class="add">
  <label for="title" class="visually-hidden">New todo</label>
  <input id="title" name="title" placeholder="What needs doing?" maxlength="200" required autocomplete="off">
  <button type="submit">Add</button>
</form>
<ul id="todos" aria-live="polite">
${todos.map(item).join("\n")}
</ul>
<footer>
  <span id="count">${left} left</span>
  <form method="post" action="/todos/clear-completed"><button type="submit" id="clear"${done === 0 ? " disabled" : ""}>Clear completed (${done})</button></form>
  <span id="live" class="live" hidden>● live</span>
</footer>
</main>
</body>
</html>
`;
}
