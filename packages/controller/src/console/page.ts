/**
 * The console's HTML: the page's fixed frame. console.js fills it from the controller's API and
 * keeps it current from `GET /apskit/events`. Kept as a .ts module so that it ships in dist.
 */

/** Where the page finds its assets and the API, as the router mounting it knows them. */
export interface ConsolePageOptions {
  /** The URL path the console's assets are served under (`/console`). */
  readonly assetBase: string;
  /** The URL path the controller's API is served under (`''`: at the root, `/aps/2/...`). */
  readonly apiBase: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function consolePage(options: ConsolePageOptions): string {
  const assets = escapeAttribute(options.assetBase);
  const api = escapeAttribute(options.apiBase);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>APSKit console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets}/console.css">
<script defer src="${assets}/console.js"></script>
</head>
<body data-api="${api}">
<a class="skip" href="#tasks-heading">Skip to tasks</a>
<header class="top">
  <h1>APSKit console</h1>
  <p id="instance">Loading the application instance…</p>
  <p id="live" role="status" data-state="connecting">Connecting…</p>
</header>
<main>
  <p id="notice" class="result" role="status"></p>
  <noscript><p class="form-error">The console needs JavaScript. The same data is at /apskit/tasks and /aps/2/resources.</p></noscript>
  <div class="columns">
    <section aria-labelledby="create-heading">
      <h2 id="create-heading">Create a resource</h2>
      <form id="create-form" class="panel" novalidate>
        <div class="field">
          <label for="create-type">Type</label>
          <select id="create-type" name="aps.type" aria-describedby="create-type-hint create-type-error"></select>
          <p class="hint" id="create-type-hint"></p>
          <p class="error" id="create-type-error"></p>
        </div>
        <div id="create-fields"></div>
        <div id="create-error" class="form-error" role="alert"></div>
        <button type="submit" class="primary">Create</button>
        <p id="create-result" class="result" role="status"></p>
      </form>
    </section>
    <section aria-labelledby="resources-heading">
      <h2 id="resources-heading">Resources</h2>
      <div id="resources"><p class="empty">Loading…</p></div>
    </section>
  </div>
  <section aria-labelledby="tasks-heading">
    <h2 id="tasks-heading" tabindex="-1">Tasks</h2>
    <div class="toolbar">
      <label for="task-status">Status</label>
      <select id="task-status">
        <option value="">any</option>
        <option value="scheduled">scheduled</option>
        <option value="running">running</option>
        <option value="succeeded">succeeded</option>
        <option value="failed">failed</option>
        <option value="canceled">canceled</option>
      </select>
      <span id="task-resource-filter" hidden>
        Resource <code id="task-resource-id"></code>
        <button type="button" id="task-resource-clear">Show every resource's tasks</button>
      </span>
      <span id="task-count" class="sub"></span>
    </div>
    <table id="tasks" class="cards">
      <caption class="visually-hidden">Tasks, newest first</caption>
      <thead><tr>
        <th scope="col">Task</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Next run</th>
        <th scope="col">Description</th><th scope="col">Output</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <p id="tasks-empty" class="empty" hidden>No tasks yet. Create a resource to see its provisioning task.</p>
  </section>
</main>
<dialog id="task-dialog" aria-labelledby="task-dialog-title">
  <div class="dialog-head">
    <h2 id="task-dialog-title">Task</h2>
    <button type="button" data-close>Close</button>
  </div>
  <div class="dialog-body">
    <dl id="task-facts" class="facts"></dl>
    <div id="task-actions" class="actions"></div>
    <h3>History</h3>
    <table id="task-history" class="cards">
      <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Message</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
</dialog>
<dialog id="operation-dialog" aria-labelledby="operation-dialog-title">
  <div class="dialog-head">
    <h2 id="operation-dialog-title">Operations</h2>
    <button type="button" data-close>Close</button>
  </div>
  <div class="dialog-body" id="operation-forms"></div>
</dialog>
</body>
</html>
`;
}
