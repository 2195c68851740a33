// app.js: the todo list's front-end. Plain JavaScript, no framework, no
// build step. It runs in the browser and speaks HTTP to the server that sent
// this page, with fetch().
//
// The API is lesson 8's Todo-Backend contract:
//   GET    /todos        -> 200, a JSON array of todos
//   POST   /todos        -> 201, the new todo    (body: {"title", "order"})
//   PATCH  <todo.url>    -> 200, the changed todo (body: any of title, completed, order;
//                           this page sends completed, or title when you edit one)
//   DELETE <todo.url>    -> 204, no body
// A todo looks like {"title": "...", "completed": false, "order": 1,
// "url": "http://127.0.0.1:8000/todos/1"}. The page never builds a todo's
// URL from an id: the server names each todo's URL, and the page uses it.
//
// Where the API is comes from the page itself, its <meta name="todo-api">.
// Lesson 7's file server sends index.html as it is, with the tag empty: no
// API, so the page shows its sample list without asking for one. Lessons 8
// and 9 fill in "/todos" as they send the page. The path is absolute, so it
// is the same whether this page is served at / or at /app/; the sample
// list's path is relative to the page.

const API = document.querySelector('meta[name="todo-api"]')?.content ?? "";
const SAMPLE = "sample-todos.json";

// Statuses from GET /todos that mean "nothing here implements the API yet":
// 404 from a plain file server, 405 Method Not Allowed, or 501 Not
// Implemented from a starter whose API is not written yet.
const NO_API_STATUSES = [404, 405, 501];

const form = document.querySelector("#new-todo");
const titleInput = form.elements.title;
const list = document.querySelector("#todo-list");
const empty = document.querySelector("#empty");
const summary = document.querySelector("#summary");
const clearButton = document.querySelector("#clear-completed");
const notice = document.querySelector("#notice");
const statusLine = document.querySelector("#status");

// The todos as the server last described them.
let todos = [];
// True when showing the sample list: nothing can be changed.
let readOnly = false;
// Which <li> shows which todo, to redraw one item in place.
const itemOf = new WeakMap();

// ---------------------------------------------------------------------------
// HTTP helpers

// An error whose message is ready to show to the person at the keyboard.
class RequestError extends Error {}

// Sends one request and returns the Response. fetch() itself only fails
// when no answer came back at all (server down, connection refused); an
// answer such as 404 or 500 is still a Response, and the caller looks at
// response.status to decide what it means.
async function send(method, url, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    // The body is JSON, and the Content-Type header says so: the server
    // reads it as JSON only if we tell it what it is.
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  try {
    return await fetch(url, options);
  } catch {
    throw new RequestError(
      `${method} ${shortUrl(url)}: no answer from the server. Is it still running?`
    );
  }
}

// Reads a response body as JSON, or throws a RequestError that says what
// came back instead.
async function readJson(method, url, response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    const type = response.headers.get("Content-Type") || "no Content-Type";
    throw new RequestError(
      `${method} ${shortUrl(url)} → ${describe(response)}, but the body (${type}) is not JSON.`
    );
  }
}

// "201 Created", or just "201" when the server sent no reason phrase.
function describe(response) {
  return `${response.status} ${response.statusText}`.trim();
}

// A todo's url is absolute (http://127.0.0.1:8000/todos/3); the status
// line shows only its path, /todos/3.
function shortUrl(url) {
  return new URL(url, document.baseURI).pathname;
}

function showStatus(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("error", isError);
}

function showError(error) {
  // A RequestError is already worded for people; anything else is a bug in
  // this page, and the console has the details.
  if (!(error instanceof RequestError)) console.error(error);
  showStatus(error instanceof RequestError ? error.message : `Error: ${error.message}`, true);
}

// ---------------------------------------------------------------------------
// Drawing the list

// In the order the server lists them: oldest first, in lessons 8 and 9
// alike, and the same order as lesson 9's page made on the server. (The
// API's "order" field is kept for other Todo-Backend clients; sorting by
// it here would put todos added on lesson 9's page, which have none, last.)
function render() {
  list.replaceChildren(...todos.map(renderTodo));
  updateSummary();
}

// One <li> per todo, the markup lesson 9's page makes on the server too:
//   <li class="completed">
//     <input type="checkbox" class="toggle" aria-label="Done: “...”">
//     <span class="title">...</span>
//     <button class="edit">Edit</button> <button class="delete">Delete</button>
//   </li>
function renderTodo(todo) {
  const item = document.createElement("li");
  item.classList.toggle("completed", Boolean(todo.completed));
  const name = todo.title ?? "";

  const checkbox = document.createElement("input");
  checkbox.type = "checkbox";
  checkbox.className = "toggle";
  checkbox.checked = Boolean(todo.completed);
  checkbox.setAttribute("aria-label", `Done: “${name}”`);
  const title = document.createElement("span");
  title.className = "title";
  // textContent, never innerHTML: a title such as "<b>hi</b>" is shown as
  // typed, not run as HTML.
  title.textContent = name;

  const edit = document.createElement("button");
  edit.type = "button";
  edit.className = "edit";
  edit.textContent = "Edit";
  edit.setAttribute("aria-label", `Edit “${name}”`);

  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "delete";
  remove.textContent = "Delete";
  remove.setAttribute("aria-label", `Delete “${name}”`);

  // Without a url the server gave no way to change this todo.
  const canChange = !readOnly && typeof todo.url === "string";
  checkbox.disabled = !canChange;
  edit.disabled = !canChange;
  remove.disabled = !canChange;

  let busy = false; // one request at a time per todo
  checkbox.addEventListener("click", (event) => {
    if (busy) event.preventDefault(); // undo the tick until the answer is in
  });
  checkbox.addEventListener("change", async () => {
    busy = true;
    await setCompleted(todo, checkbox.checked);
    busy = false;
  });
  remove.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    await deleteTodo(todo);
    busy = false;
  });
  // Edit, or a double click on the title: the title becomes a text box.
  const startEditing = () => {
    if (!busy && canChange) editTitle(todo, item, title);
  };
  edit.addEventListener("click", startEditing);
  title.addEventListener("dblclick", startEditing);

  item.append(checkbox, title, edit, remove);
  itemOf.set(todo, item);
  return item;
}

function updateSummary() {
  const done = todos.filter((todo) => todo.completed).length;
  empty.hidden = todos.length > 0;
  summary.textContent =
    todos.length === 0 ? "" : `${done} of ${todos.length} done`;
  clearButton.hidden = readOnly || done === 0;
}

// ---------------------------------------------------------------------------
// The HTTP calls

// On load: GET /todos. The API answers 200 with a JSON array. A page that
// names no API (lesson 7's) shows the sample list at once; a server whose API
// is not written yet answers 404, 405 or 501, and the page does the same.
async function load() {
  if (API === "") {
    await showSample("This page names no API (its todo-api tag is empty).");
    return;
  }
  showStatus(`GET ${API}…`);
  let response;
  try {
    response = await send("GET", API);
  } catch (error) {
    showError(error); // the form stays disabled, as index.html has it
    return;
  }

  if (NO_API_STATUSES.includes(response.status)) {
    await showSample(`GET ${API} → ${describe(response)}.`);
    return;
  }
  if (!response.ok) {
    // The API is there but failed (500, say): tell, and do not pretend.
    showStatus(`GET ${API} → ${describe(response)}. Reload the page to try again.`, true);
    return;
  }

  // 2xx: the body should be a JSON array. Anything else (an HTML page, say)
  // means this is not the API either.
  let data;
  try {
    data = await readJson("GET", API, response);
  } catch (error) {
    await showSample(error.message);
    return;
  }
  if (!Array.isArray(data)) {
    await showSample(`GET ${API} → ${describe(response)}, but the JSON is not a list of todos.`);
    return;
  }

  // The API answered: switch the form on (index.html ships it disabled).
  todos = data;
  render();
  setFormEnabled(true);
  let message = `GET ${API} → ${describe(response)}: ${plural(todos.length, "todo")}.`;
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) {
    // Browsers would cope, but an API should label its JSON as JSON.
    message += ` (Note: Content-Type was "${type || "missing"}", not application/json.)`;
  }
  showStatus(message);
}

// No API: show the notice, lock the form, and draw the sample list from
// sample-todos.json (GET, relative to this page, expecting 200 and JSON).
async function showSample(reason) {
  readOnly = true;
  setFormEnabled(false);

  const code = (text) => {
    const element = document.createElement("code");
    element.textContent = text;
    return element;
  };
  const headline = document.createElement("strong");
  headline.textContent = "No API here yet:";
  const first = document.createElement("p");
  first.append(
    headline,
    " run lesson 8's ",
    code("todo_api"),
    " (",
    code("cargo run --bin todo_api"),
    ") and open the page it serves."
  );
  const second = document.createElement("p");
  second.append("Meanwhile, here is a sample list from ", code(SAMPLE), ", read-only.");
  notice.replaceChildren(first, second);
  notice.hidden = false;

  try {
    const response = await send("GET", SAMPLE);
    if (!response.ok) {
      throw new RequestError(`${reason} And GET ${SAMPLE} → ${describe(response)}.`);
    }
    todos = await readJson("GET", SAMPLE, response);
    render();
    showStatus(`${reason} Showing ${SAMPLE} instead.`);
  } catch (error) {
    todos = [];
    render();
    showError(error);
  }
}

// Add: POST /todos with {"title": ..., "order": ...}. The API answers
// 201 Created with the new todo, url included.
async function addTodo(title) {
  const order = Math.max(0, ...todos.map((todo) => todo.order).filter(Number.isFinite)) + 1;
  const response = await send("POST", API, { title, order });
  if (!response.ok) {
    throw new RequestError(`POST ${API} → ${describe(response)}: the todo was not added.`);
  }
  const todo = await readJson("POST", API, response);
  todos.push(todo);
  render();
  showStatus(`POST ${API} → ${describe(response)}: added “${todo.title}”.`);
}

// Tick or untick: PATCH the todo's own url with {"completed": ...}. The API
// answers 200 with the whole todo as it now is; the page draws that, so what
// you see is what the server stored.
async function setCompleted(todo, completed) {
  try {
    const response = await send("PATCH", todo.url, { completed });
    if (!response.ok) {
      throw new RequestError(`PATCH ${shortUrl(todo.url)} → ${describe(response)}: nothing changed.`);
    }
    const updated = await readJson("PATCH", todo.url, response);
    Object.assign(todo, updated);
    showStatus(
      `PATCH ${shortUrl(todo.url)} → ${describe(response)}: “${todo.title}” is ${todo.completed ? "done" : "not done"}.`
    );
  } catch (error) {
    showError(error);
  }
  // Redraw this one item in place from what we know now (on an error, its
  // old state). Keyboard focus goes back to its checkbox.
  replaceItem(todo, "input");
}

// Edit a title in place: the title becomes a text box. Enter saves (a PATCH
// of the todo's url with {"title": ...}), Escape puts the title back as it
// was; leaving the box saves too, as Enter does (an empty box keeps the
// old title).
function editTitle(todo, item, title) {
  const box = document.createElement("input");
  box.type = "text";
  box.className = "edit-title";
  box.value = todo.title ?? "";
  box.setAttribute("aria-label", `New title for “${todo.title ?? ""}”`);
  title.replaceWith(box);
  for (const control of item.querySelectorAll("button, input.toggle")) control.disabled = true;
  box.focus();
  box.select();

  let finished = false; // Enter, Escape and leaving the box all end here once
  const finish = async (save) => {
    if (finished) return;
    const newTitle = box.value.trim();
    if (save && newTitle === "") {
      showStatus("A todo needs a title: type one, or press Escape to keep the old one.", true);
      box.focus();
      return;
    }
    finished = true;
    if (save && newTitle !== todo.title) {
      box.disabled = true;
      await renameTodo(todo, newTitle);
    } else {
      showStatus(`“${todo.title}” is unchanged.`);
    }
    // Redraw the item from what the server said (or the old title), with
    // keyboard focus back on its Edit button.
    replaceItem(todo, "button.edit", true);
  };
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      finish(true);
    } else if (event.key === "Escape") {
      event.preventDefault();
      finish(false);
    }
  });
  // Leaving the box saves, or, when it is empty, keeps the old title.
  box.addEventListener("blur", () => finish(box.value.trim() !== ""));
}

// Rename: PATCH the todo's own url with {"title": ...}. The API answers 200
// with the whole todo, as it stored it.
async function renameTodo(todo, title) {
  const old = todo.title;
  try {
    const response = await send("PATCH", todo.url, { title });
    if (!response.ok) {
      throw new RequestError(`PATCH ${shortUrl(todo.url)} → ${describe(response)}: the title is unchanged.`);
    }
    Object.assign(todo, await readJson("PATCH", todo.url, response));
    showStatus(`PATCH ${shortUrl(todo.url)} → ${describe(response)}: “${old}” is now “${todo.title}”.`);
  } catch (error) {
    showError(error);
  }
}

// Delete: DELETE the todo's own url. The API answers 204 No Content: there is
// no body to read.
async function deleteTodo(todo) {
  try {
    const response = await send("DELETE", todo.url);
    if (!response.ok) {
      throw new RequestError(`DELETE ${shortUrl(todo.url)} → ${describe(response)}: not deleted.`);
    }
    // Keep keyboard focus near where it was: on the next todo's Delete
    // button, or on the text box when the list is empty.
    const position = [...list.children].indexOf(itemOf.get(todo));
    todos.splice(todos.indexOf(todo), 1);
    render();
    const next = list.children[Math.min(position, list.children.length - 1)];
    (next ? next.querySelector("button.delete") : titleInput).focus();
    showStatus(`DELETE ${shortUrl(todo.url)} → ${describe(response)}: deleted “${todo.title}”.`);
  } catch (error) {
    showError(error);
  }
}

// Clear completed: one DELETE per done todo, all sent at once. (The API's
// DELETE /todos would remove every todo, done or not.)
async function clearCompleted() {
  const done = todos.filter((todo) => todo.completed && typeof todo.url === "string");
  const results = await Promise.allSettled(
    done.map(async (todo) => {
      const response = await send("DELETE", todo.url);
      if (!response.ok) {
        throw new RequestError(`DELETE ${shortUrl(todo.url)} → ${describe(response)}.`);
      }
      todos.splice(todos.indexOf(todo), 1);
    })
  );
  render();
  titleInput.focus();
  const failed = results.filter((result) => result.status === "rejected");
  if (failed.length > 0) {
    showError(failed[0].reason);
  } else {
    showStatus(`Cleared ${plural(done.length, "done todo")}: one DELETE each, all answered OK.`);
  }
}

// ---------------------------------------------------------------------------
// Small helpers and wiring

function replaceItem(todo, focusSelector, focus = false) {
  const old = itemOf.get(todo);
  const hadFocus = old && (focus || old.contains(document.activeElement));
  const fresh = renderTodo(todo);
  if (old) old.replaceWith(fresh);
  if (hadFocus) fresh.querySelector(focusSelector).focus();
  updateSummary();
}

function setFormEnabled(enabled) {
  for (const control of form.elements) control.disabled = !enabled;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

form.addEventListener("submit", async (event) => {
  // Stop the browser from sending the form itself (a GET to this page with
  // ?title=... in the URL): the script sends JSON to the API instead.
  event.preventDefault();
  const title = titleInput.value.trim();
  if (title === "") {
    showStatus("Type a title first.", true);
    titleInput.focus();
    return;
  }
  setFormEnabled(false);
  try {
    await addTodo(title);
    titleInput.value = "";
  } catch (error) {
    showError(error);
  } finally {
    setFormEnabled(true);
    titleInput.focus();
  }
});

clearButton.addEventListener("click", clearCompleted);

load();
