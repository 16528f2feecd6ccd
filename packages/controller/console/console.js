// @ts-check
/*
 * The console's script: plain browser JavaScript, no framework and no build step, served as
 * /console/console.js. Its types are JSDoc comments, which `npm run typecheck` checks against the
 * DOM library (console/tsconfig.json); ESLint and prettier read it like the rest of the repository.
 *
 * What it does: loads the instance, the types' APS schemas, the resources and the tasks from the API;
 * keeps them current from `GET /apskit/events` (server-sent events); renders them into the page's
 * frame (index.html), updating table rows in place so that keyboard focus stays where it was; and
 * turns the forms and buttons into API calls, showing a 400's `details` next to the fields they name.
 */
(function () {
  'use strict';

  // ---- what the API answers, as far as the console reads it --------------------------------------

  /**
   * An answer: its status, its headers, and its body parsed as JSON (the text when it is not JSON,
   * null when empty). T is what the body holds when the status is the one the caller checks for; a
   * caller states it with a cast, since only the status tells.
   * @template [T=unknown]
   * @typedef {{ status: number, headers: Headers, body: T }} ApiAnswer
   */

  /** @typedef {{ field?: string, message?: string }} Issue one of a 400's `details` */

  /**
   * Who calls, as `/apskit/instance` says: `open` (no token configured, loopback only), `admin` or
   * `owner` (a token's holder), `app`.
   * @typedef {{ kind: string, subject?: string, accountId?: string }} CallerJson
   */

  /**
   * `version`: what the last successful upgrade recorded (null before the first).
   * @typedef {{ application: string, id: string, globalsId: string | null, version?: string | null, auth?: string, caller?: CallerJson }} InstanceJson
   */

  /**
   * @typedef {object} ResourceAps
   * @property {string} id
   * @property {string} type
   * @property {string} status
   * @property {number} revision
   * @property {string | null} modified
   */

  /** @typedef {{ aps: ResourceAps, [property: string]: unknown }} ResourceJson a resource as the API renders it */

  /** @typedef {{ id: string, resource: ResourceJson | null }} ResourceChange a resource event; null: it went */

  /** @typedef {{ at: string, kind: string, attempt: number, message: string }} HistoryEntry */

  /**
   * A task as `/apskit/tasks` and the event stream send it.
   * @typedef {object} TaskJson
   * @property {string} id
   * @property {string} name
   * @property {string} status
   * @property {string} resourceId
   * @property {string | null} requestId
   * @property {string} operation
   * @property {string} description
   * @property {string} output
   * @property {number} attempts
   * @property {string | null} nextRunAt
   * @property {string | null} deadlineAt
   * @property {string} createdAt
   * @property {string} updatedAt
   * @property {string | null} endedAt
   * @property {HistoryEntry[]} [history] only in `GET /apskit/tasks/{id}`
   */

  /** @typedef {Omit<TaskJson, 'history'>} TaskSummary a task as the console keeps it */

  /**
   * A property of a type (or a parameter of an operation), as its APS schema describes it.
   * @typedef {object} PropertySchema
   * @property {string} type
   * @property {string} [title]
   * @property {string} [description]
   * @property {string} [format]
   * @property {string} [pattern]
   * @property {string} [unit]
   * @property {unknown[]} [enum]
   * @property {string[]} [enumTitles]
   * @property {unknown} [default]
   * @property {number} [minimum]
   * @property {number} [maximum]
   * @property {number} [minLength]
   * @property {number} [maxLength]
   * @property {boolean} [required]
   * @property {boolean} [readonly]
   * @property {boolean} [final]
   * @property {boolean} [encrypted]
   * @property {{ type: string }} [items]
   */

  /** @typedef {PropertySchema & { kind: string }} ParameterSchema `kind`: path, query or body */

  /** @typedef {{ type: string, required?: boolean, collection?: boolean }} RelationSchema */

  /** @typedef {{ properties?: Record<string, { type: string, required?: boolean }> }} StructureSchema */

  /**
   * @typedef {object} OperationSchema a custom operation
   * @property {string} verb
   * @property {string} path
   * @property {boolean} [static]
   * @property {Record<string, ParameterSchema>} [parameters]
   */

  /**
   * A type's APS schema, as `GET /aps/2/types` lists it.
   * @typedef {object} TypeJson
   * @property {string} id
   * @property {string} name
   * @property {string[]} [implements]
   * @property {Record<string, PropertySchema>} [properties]
   * @property {Record<string, RelationSchema>} [relations]
   * @property {Record<string, StructureSchema>} [structures]
   * @property {Record<string, OperationSchema>} [operations]
   */

  /**
   * One link of a resource, as `GET /aps/2/resources/{id}/aps/links` lists it: its relation, and the
   * linked resource (`link`: strong for a required relation, weak otherwise).
   * @typedef {{ relation: string, aps: { link: string, id: string, href: string } }} LinkEntry
   */

  /**
   * An event from `GET /apskit/events`.
   * @typedef {{ kind: 'task', data: TaskJson } | { kind: 'resource', data: ResourceChange }} StreamEvent
   */

  // ---- the page's state ---------------------------------------------------------------------------

  /** Where the API is: the page says (an empty string: the same origin's root). */
  const API = document.body.getAttribute('data-api') || '';
  /**
   * Where the bearer token is kept once signed in: this tab's sessionStorage, so that it goes with
   * the tab (never in a cookie, which a cross-site request would carry, nor in a URL, which logs and
   * history keep).
   */
  const TOKEN_KEY = 'apskit.console.token';
  const APPLICATION_TYPE = 'http://aps-standard.org/types/core/application/1.0';
  /** The task table shows this many, newest first; the rest are a filter away. */
  const MAX_TASKS = 200;

  const state = {
    application: '',
    instanceId: '',
    /** @type {string | null} */
    globalsId: null,
    /** @type {TypeJson[]} the types' APS schemas, as GET /aps/2/types answers */
    types: [],
    /** @type {Map<string, ResourceJson>} id -> resource as the API renders it */
    resources: new Map(),
    /** @type {Set<string>} resources seen going: a late event must not bring one back */
    gone: new Set(),
    /** @type {Map<string, TaskSummary>} id -> task (without its history) */
    tasks: new Map(),
    filter: { status: '', resourceId: '' },
    /** @type {string | null} */
    openTaskId: null,
    /** @type {string | null} the resource whose links the links dialog shows */
    openLinksId: null,
    /** @type {Element | null} */
    dialogOpener: null,
    loading: false,
    /** @type {StreamEvent[]} events that arrived while a snapshot was loading */
    buffered: [],
    /** @type {InstanceJson | null} what /apskit/instance said last: how the API authenticates, who we are */
    instance: null,
    /** Whether the page waits for a token (the API answered 401). */
    signingIn: false,
  };

  /**
   * An element of the page's frame, which index.html always has (a caller that needs a particular
   * kind of element, a select or a table, says which with a cast).
   * @param {string} id @returns {HTMLElement}
   */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  // ---- DOM helpers -------------------------------------------------------------------------------

  /** @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} AttrValue */
  /** @typedef {Node | string | null | undefined | false} Child */

  /**
   * An element. attrs: 'text' sets textContent, 'on<event>' adds a listener, true is an empty
   * attribute, null/undefined/false leave it out. Text goes in as text, never as HTML.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag @param {Record<string, AttrValue> | null} [attrs] @param {Child | Child[]} [children]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function h(tag, attrs, children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') el.textContent = String(value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of /** @type {Child[]} */ ([]).concat(children === undefined ? [] : children)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  const dash = () => h('span', { class: 'empty', text: '—' });
  /** @param {string} id */
  const short = (id) => (id ? id.slice(0, 8) : '');
  /** @param {string} id */
  const idCode = (id) => h('code', { title: id, 'data-id': id, text: short(id) });
  /** @param {string} status */
  const badge = (status) => h('span', { class: 'badge', 'data-status': status, text: status });

  /** @param {string} iso */
  function clock(iso) {
    // Tenths of a second: at a small time scale, re-polls come a few hundred milliseconds apart.
    return new Date(iso).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
      fractionalSecondDigits: 1,
    });
  }

  /** @param {string} iso */
  function relative(iso) {
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    const abs = Math.abs(seconds);
    if (abs < 1) return 'now';
    const span = abs < 120 ? abs + ' s' : abs < 7200 ? Math.round(abs / 60) + ' min' : Math.round(abs / 3600) + ' h';
    return seconds > 0 ? 'in ' + span : span + ' ago';
  }

  /** A time that says how far it is (kept current by the ticker) and when. @param {string | null} iso */
  function timeEl(iso) {
    if (!iso) return dash();
    return h('time', { datetime: iso, 'data-rel': '', text: relative(iso) + ' (' + clock(iso) + ')' });
  }

  /** @param {string} text @param {boolean} [isError] */
  function notice(text, isError) {
    const el = $('notice');
    el.textContent = text;
    el.setAttribute('data-kind', isError ? 'error' : 'info');
  }

  /**
   * A table cell labelled with its column (the label shows on a narrow window).
   * @param {string} label @param {Child | Child[]} content @param {string} [cls]
   */
  function cell(label, content, cls) {
    return h('td', { 'data-label': label, class: cls }, h('div', null, content));
  }

  /**
   * Brings a tbody's rows in line with items, in order, keeping each key's row element: rows that
   * did not change stay untouched, so a focused button in them stays focused.
   * @template T
   * @param {HTMLTableSectionElement} tbody @param {T[]} items @param {(item: T) => string} keyOf
   * @param {(item: T) => HTMLTableRowElement} build
   * @returns {boolean} whether a removed row had the focus
   */
  function reconcile(tbody, items, keyOf, build) {
    /** @type {Map<string | null, HTMLTableRowElement>} */
    const old = new Map();
    for (const tr of Array.from(tbody.rows)) old.set(tr.getAttribute('data-key'), tr);
    let cursor = tbody.firstElementChild;
    for (const item of items) {
      const key = keyOf(item);
      const fresh = build(item);
      fresh.setAttribute('data-key', key);
      let tr = old.get(key);
      if (tr) {
        old.delete(key);
        patchRow(tr, fresh);
      } else tr = fresh;
      if (tr === cursor) cursor = cursor.nextElementSibling;
      else tbody.insertBefore(tr, cursor);
    }
    let lostFocus = false;
    for (const tr of old.values()) {
      if (tr.contains(document.activeElement)) lostFocus = true;
      tr.remove();
    }
    return lostFocus;
  }

  /**
   * Replaces the cells that changed; focus in a replaced cell moves to its counterpart.
   * @param {HTMLTableRowElement} tr @param {HTMLTableRowElement} fresh
   */
  function patchRow(tr, fresh) {
    for (const attr of Array.from(fresh.attributes)) tr.setAttribute(attr.name, attr.value);
    const active = document.activeElement;
    const cells = Array.from(fresh.cells);
    cells.forEach((freshCell, i) => {
      const current = tr.cells[i];
      if (!current) {
        tr.append(freshCell);
        return;
      }
      if (current.innerHTML === freshCell.innerHTML) return;
      // contains(null) is false: the active element is there when it is in this cell.
      const focusKey = current.contains(active) ? /** @type {Element} */ (active).getAttribute('data-focus') : null;
      const hadFocus = current.contains(active);
      current.replaceWith(freshCell);
      if (hadFocus) {
        const again = /** @type {HTMLElement | null} */ (
          (focusKey && freshCell.querySelector('[data-focus="' + focusKey + '"]')) ||
            freshCell.querySelector('button, a[href], input, select, textarea') ||
            tr.querySelector('button, a[href]')
        );
        if (again) again.focus();
      }
    });
  }

  // ---- the API -----------------------------------------------------------------------------------

  /**
   * @param {string} method @param {string} path @param {unknown} [body]
   * @returns {Promise<ApiAnswer>}
   */
  async function api(method, path, body) {
    const sentWith = token;
    /** @type {Record<string, string>} */
    const headers = authorization({ Accept: 'application/json' });
    // The controller takes a POST, PUT or DELETE only as JSON, with or without a body (issue 15 #5).
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    /** @type {RequestInit} */
    const init = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(API + path, init);
    if (res.status === 401) refused(sentWith);
    const text = await res.text();
    /** @type {unknown} */
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
    }
    return { status: res.status, headers: res.headers, body: json };
  }

  // ---- signing in --------------------------------------------------------------------------------

  /** @returns {string | null} */
  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null; // storage refused (a privacy setting): the token lives as long as the page
    }
  }

  let token = storedToken();

  /**
   * `headers` with the token, when signed in.
   * @param {Record<string, string>} headers @returns {Record<string, string>}
   */
  function authorization(headers) {
    if (token) headers['Authorization'] = 'Bearer ' + token;
    return headers;
  }

  /** Whether the token this tab had was refused: the sign-in form then says so. */
  let tokenDropped = false;

  /**
   * A 401 to a request sent with `sentWith` (null: none). The token it carried is dropped and the
   * page starts over without one, since the controller may run open now (restarted without tokens);
   * if it does not, that start's own 401 asks for a token. An answer to a token already dropped or
   * replaced changes nothing.
   * @param {string | null} sentWith
   */
  function refused(sentWith) {
    if (sentWith !== token) return;
    if (!sentWith) {
      needSignIn();
      return;
    }
    token = null;
    tokenDropped = true;
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing kept
    }
    connect();
    void loadSnapshot();
  }

  /** The API wants a token (401 without one): stop the stream and ask for one. Does nothing when already asking. */
  function needSignIn() {
    if (state.signingIn) return;
    state.signingIn = true;
    stopStream();
    if (tokenDropped)
      $('signin-error').textContent = 'The controller no longer accepts the token this tab had: sign in again.';
    notice('');
    setLive('down', 'Signed out');
    document.body.setAttribute('data-signin', '');
    $('signin').hidden = false;
    renderWho();
    $('signin-token').focus();
  }

  /** @param {Event} event */
  async function submitSignIn(event) {
    event.preventDefault();
    const input = /** @type {HTMLInputElement} */ ($('signin-token'));
    const error = $('signin-error');
    const candidate = input.value.trim();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (!candidate) {
      error.textContent = 'Enter a token.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    /** @type {Response} */
    let res;
    try {
      res = await fetch(API + '/apskit/instance', {
        headers: { Accept: 'application/json', Authorization: 'Bearer ' + candidate },
      });
    } catch (e) {
      error.textContent = 'The controller did not answer: ' + errorText(e);
      return;
    }
    if (res.status !== 200) {
      error.textContent =
        res.status === 401
          ? 'The controller does not accept this token.'
          : 'The controller answered HTTP ' + res.status + '.';
      input.setAttribute('aria-invalid', 'true');
      input.select();
      input.focus();
      return;
    }
    token = candidate;
    tokenDropped = false;
    try {
      window.sessionStorage.setItem(TOKEN_KEY, candidate);
    } catch {
      // kept in the page only
    }
    input.value = '';
    state.signingIn = false;
    document.body.removeAttribute('data-signin');
    $('signin').hidden = true;
    connect();
    void loadSnapshot();
    $('create-heading').focus();
  }

  /** Forgets the token and starts over: the page then shows what an unsigned caller may see. */
  function signOut() {
    token = null;
    try {
      window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing kept
    }
    window.location.reload();
  }

  /** The header's words on who the console calls as. */
  function renderWho() {
    const el = $('who');
    const instance = state.instance;
    if (state.signingIn || !instance || !instance.caller) {
      el.replaceChildren();
      return;
    }
    const caller = instance.caller;
    if (caller.kind === 'open') {
      el.replaceChildren('API open: no token configured (local development on this machine)');
      return;
    }
    const role = caller.kind === 'owner' ? 'owner of account ' + (caller.accountId || '') : caller.kind;
    el.replaceChildren(
      'Signed in as ',
      h('strong', { text: caller.subject || caller.kind }),
      ' (' + role + ')',
      token ? h('button', { type: 'button', id: 'signout', text: 'Sign out', onclick: signOut }) : '',
    );
  }

  /**
   * Whether a body is an APS error body with its message.
   * @param {unknown} body @returns {body is { message: string }}
   */
  function hasMessage(body) {
    return (
      typeof body === 'object' &&
      body !== null &&
      typeof (/** @type {{ message?: unknown }} */ (body).message) === 'string'
    );
  }

  /**
   * Whether a body is a 400 with the fields in error (`details`).
   * @param {unknown} body @returns {body is { details: Issue[] }}
   */
  function hasDetails(body) {
    return (
      typeof body === 'object' && body !== null && Array.isArray(/** @type {{ details?: unknown }} */ (body).details)
    );
  }

  /** @param {ApiAnswer} r */
  function messageOf(r) {
    return hasMessage(r.body) ? r.body.message : 'the controller answered HTTP ' + r.status;
  }

  /** @param {unknown} e */
  const errorText = (e) => (e instanceof Error ? e.message : String(e));

  // ---- state -------------------------------------------------------------------------------------

  /** @param {string} id */
  const typeById = (id) => state.types.find((t) => t.id === id);
  /** @param {TypeJson | undefined} type */
  const isApplication = (type) => Boolean(type && (type.implements || []).includes(APPLICATION_TYPE));

  /**
   * Keeps the newer of two versions of a task: events arrive in order, snapshots may be older.
   * @param {TaskJson} task
   */
  function upsertTask(task) {
    const { history: _history, ...plain } = task;
    const current = state.tasks.get(plain.id);
    if (current && current.updatedAt > plain.updatedAt) return;
    // An upgrade that has just succeeded recorded a new version: the panel shows it.
    if (plain.operation === 'upgrade' && plain.status === 'succeeded' && (!current || current.status !== plain.status))
      void refreshInstance();
    state.tasks.set(plain.id, plain);
    scheduleRender('tasks');
    if (state.openTaskId === plain.id) scheduleDialogRefresh();
  }

  /** @param {ResourceJson} resource */
  function upsertResource(resource) {
    const id = resource.aps.id;
    if (state.gone.has(id)) return;
    const current = state.resources.get(id);
    if (current && current.aps.revision > resource.aps.revision) return;
    state.resources.set(id, resource);
    scheduleRender('resources');
    // A link changed (both ends get an event), or a resource that may be linked came or changed.
    scheduleLinksRefresh();
  }

  /** @param {string} id */
  function removeResource(id) {
    state.gone.add(id);
    state.resources.delete(id);
    scheduleRender('resources');
    scheduleLinksRefresh();
  }

  /** @param {StreamEvent} event */
  function applyEvent(event) {
    if (event.kind === 'task') upsertTask(event.data);
    else if (event.data.resource) upsertResource(event.data.resource);
    else removeResource(event.data.id);
  }

  /** @param {StreamEvent['kind']} kind @param {unknown} data the event's JSON, which its kind tells */
  function onEvent(kind, data) {
    if (state.loading) state.buffered.push(/** @type {StreamEvent} */ ({ kind, data }));
    else applyEvent(/** @type {StreamEvent} */ ({ kind, data }));
  }

  let loadGeneration = 0;

  /**
   * A list's page and its place: Content-Range "items a-b/total" → {first, last, total}; lists are
   * paged by the controller (a bounded page, never all of them).
   * @param {{headers: Headers}} r
   * @returns {{first: number, last: number, total: number} | undefined}
   */
  function rangeOf(r) {
    const m = /^items (?:(\d+)-(\d+)|\*)\/(\d+)$/.exec(r.headers.get('Content-Range') || '');
    return m
      ? { first: Number(m[1] || 0), last: m[2] === undefined ? -1 : Number(m[2]), total: Number(m[3]) }
      : undefined;
  }

  /** The newest tasks: tasks are listed oldest first, so when they are more than a page, the last page. */
  async function newestTasks() {
    const first = /** @type {ApiAnswer<unknown[]>} */ (await api('GET', '/apskit/tasks'));
    const range = first.status === 200 ? rangeOf(first) : undefined;
    if (!range || range.last + 1 >= range.total || first.body.length === 0) return first;
    const size = first.body.length;
    return api('GET', '/apskit/tasks?offset=' + (range.total - size) + '&limit=' + size);
  }

  /**
   * Loads everything, then applies the events that came meanwhile (the newer version wins), so that
   * nothing falls between the snapshot and the stream. Runs at start and on every (re)connect.
   */
  async function loadSnapshot() {
    const generation = ++loadGeneration;
    state.loading = true;
    try {
      // Each body is what its path lists when the answer is a 200, which the loop below requires.
      const [instance, types, resources, tasks] =
        /** @type {[ApiAnswer<InstanceJson>, ApiAnswer<TypeJson[]>, ApiAnswer<ResourceJson[]>, ApiAnswer<TaskJson[]>]} */ (
          await Promise.all([
            api('GET', '/apskit/instance'),
            api('GET', '/aps/2/types'),
            api('GET', '/aps/2/resources'),
            newestTasks(),
          ])
        );
      for (const r of [instance, types, resources, tasks]) if (r.status !== 200) throw new Error(messageOf(r));
      if (generation !== loadGeneration) return;
      state.instance = instance.body;
      state.application = instance.body.application;
      state.instanceId = instance.body.id;
      state.globalsId = instance.body.globalsId;
      const typesChanged = JSON.stringify(types.body) !== JSON.stringify(state.types);
      state.types = types.body;
      state.resources = new Map(resources.body.map((r) => [r.aps.id, r]));
      state.tasks = new Map(tasks.body.map((t) => [t.id, t]));
      if (typesChanged) renderCreateTypes();
      /** @type {string[]} */
      const shown = [];
      const resourceRange = rangeOf(resources);
      const taskRange = rangeOf(tasks);
      if (resourceRange && resources.body.length < resourceRange.total)
        shown.push('the first ' + resources.body.length + ' of ' + resourceRange.total + ' resources');
      if (taskRange && tasks.body.length < taskRange.total)
        shown.push('the newest ' + tasks.body.length + ' of ' + taskRange.total + ' tasks');
      if (shown.length > 0) notice('The controller answers a page at a time: showing ' + shown.join(' and ') + '.');
    } catch (e) {
      if (generation === loadGeneration && !state.signingIn)
        notice('Could not load the controller’s state: ' + errorText(e), true);
    } finally {
      if (generation === loadGeneration) {
        state.loading = false;
        const buffered = state.buffered;
        state.buffered = [];
        buffered.forEach(applyEvent);
        renderInstance();
        scheduleRender('resources');
        scheduleRender('tasks');
      }
    }
  }

  /** @param {string} taskId */
  async function refreshTask(taskId) {
    const r = /** @type {ApiAnswer<TaskJson>} */ (await api('GET', '/apskit/tasks/' + encodeURIComponent(taskId)));

    if (r.status === 200) upsertTask(r.body);
  }

  // ---- live updates ------------------------------------------------------------------------------

  /** @param {string} stateName @param {string} text */
  function setLive(stateName, text) {
    const el = $('live');
    if (el.getAttribute('data-state') === stateName && el.textContent === text) return;
    el.setAttribute('data-state', stateName);
    el.textContent = text;
  }

  /** @type {AbortController | null} the event stream's, while one is open or opening */
  let stream = null;
  let reconnectTimer = 0;

  function stopStream() {
    if (stream) stream.abort();
    stream = null;
    window.clearTimeout(reconnectTimer);
    reconnectTimer = 0;
  }

  /**
   * Reads `GET /apskit/events` with fetch, not EventSource: EventSource cannot send the
   * Authorization header, and a token in the URL would end up in logs and history. The frames are
   * server-sent events (`event:`, `data:`, `retry:`, `:` comments), parsed here; a broken stream is
   * reopened after the server's `retry` (then a snapshot reloads what was missed).
   */
  function connect() {
    stopStream();
    const abort = new window.AbortController();
    stream = abort;
    setLive('connecting', 'Connecting…');
    let retryMs = 3000;
    const again = () => {
      if (abort.signal.aborted || state.signingIn) return;
      setLive('down', 'Disconnected: retrying…');
      reconnectTimer = window.setTimeout(connect, retryMs);
    };
    /** @param {string} frame one event's lines */
    const dispatch = (frame) => {
      let kind = 'message';
      /** @type {string[]} */
      const data = [];
      for (const line of frame.split('\n')) {
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') kind = value;
        else if (field === 'data') data.push(value);
        else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
      }
      if (data.length === 0) return;
      if (kind === 'ready') {
        setLive('live', 'Live');
        void loadSnapshot();
      } else if (kind === 'task' || kind === 'resource') onEvent(kind, JSON.parse(data.join('\n')));
    };
    const sentWith = token;
    void (async () => {
      try {
        const res = await fetch(API + '/apskit/events', {
          headers: authorization({ Accept: 'text/event-stream' }),
          cache: 'no-store',
          signal: abort.signal,
        });
        if (res.status === 401) {
          refused(sentWith);
          return;
        }
        if (res.status !== 200 || !res.body) {
          again();
          return;
        }
        const reader = res.body.pipeThrough(new window.TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // aborted, or the connection broke: below
      }
      again();
    })();
  }

  /** @type {Set<string>} */
  const dirty = new Set();
  let renderTimer = 0;
  /** Coalesces renders: a burst of events costs one pass. @param {string} part */
  function scheduleRender(part) {
    dirty.add(part);
    if (!renderTimer) renderTimer = window.setTimeout(flushRender, 16);
  }

  function flushRender() {
    renderTimer = 0;
    const parts = Array.from(dirty);
    dirty.clear();
    if (parts.includes('resources')) renderResources();
    if (parts.includes('tasks')) renderTasks();
  }

  let dialogTimer = 0;
  let dialogSequence = 0;
  function scheduleDialogRefresh() {
    if (!dialogTimer) dialogTimer = window.setTimeout(refreshOpenTask, 50);
  }

  // ---- header ------------------------------------------------------------------------------------

  function renderInstance() {
    const globals = state.globalsId ? state.resources.get(state.globalsId) : undefined;
    const el = $('instance');
    el.replaceChildren(
      'Application ',
      h('strong', { text: state.application }),
      ', instance ',
      h('code', { text: state.instanceId }),
      state.globalsId ? ', globals ' : '',
      state.globalsId ? h('code', { text: state.globalsId }) : '',
      globals ? ' ' : '',
      globals ? badge(globals.aps.status) : '',
    );
    document.title = 'APSKit console: ' + state.application;
    renderWho();
    renderInstancePanel();
  }

  // ---- the instance: upgrade, usage --------------------------------------------------------------

  /** The version the instance runs; upgrade and usage sync only for the provider (an owner gets 403). */
  function renderInstancePanel() {
    const instance = state.instance;
    const version = instance && instance.version;
    $('instance-version').textContent = version || 'not upgraded yet';
    $('instance-panel').hidden = Boolean(instance && instance.caller && instance.caller.kind === 'owner');
  }

  /** Re-reads the instance (its version changes when an upgrade task succeeds). */
  async function refreshInstance() {
    const r = /** @type {ApiAnswer<InstanceJson>} */ (await api('GET', '/apskit/instance'));
    if (r.status !== 200) return;
    state.instance = r.body;
    renderInstancePanel();
  }

  /**
   * What an instance action says it started: its words, the task's id, and a button that opens the
   * task (its history: the endpoint's messages, then the outcome).
   * @param {string} text @param {string | null} taskId
   */
  function instanceResult(text, taskId) {
    $('instance-result').replaceChildren(
      text,
      taskId ? ': task ' : '.',
      taskId ? h('code', { text: taskId }) : '',
      taskId ? ' ' : '',
      taskId
        ? h('button', {
            type: 'button',
            class: 'link',
            'aria-haspopup': 'dialog',
            text: 'Show the task',
            onclick: () => openTask(taskId),
          })
        : '',
    );
    if (taskId) void refreshTask(taskId);
  }

  let instanceBusy = false;

  /** @param {Event} event */
  async function submitUpgrade(event) {
    event.preventDefault();
    if (instanceBusy) return;
    const input = /** @type {HTMLInputElement} */ ($('upgrade-version'));
    /** @type {Map<string, ErrorTarget>} */
    const targets = new Map([['version', { input, error: $('upgrade-version-error') }]]);
    const summary = $('instance-error');
    clearErrors([$('upgrade-version-error')], summary);
    $('instance-result').replaceChildren();
    const version = input.value.trim();
    if (version === '') {
      showIssues(targets, [{ field: 'version', message: 'is required: the version to upgrade to' }], summary, '');
      return;
    }
    instanceBusy = true;
    try {
      const r = /** @type {ApiAnswer<ResourceJson>} */ (
        await api('POST', '/apskit/instance/upgrade', { version: version })
      );
      const taskId = r.headers.get('APSKit-Task-ID');
      if (r.status === 200 || r.status === 202) {
        if (r.body && r.body.aps) upsertResource(r.body);
        instanceResult(
          (r.status === 200 ? 'Upgraded to ' : 'Upgrading to ') + version + (r.status === 200 ? '' : ' (under way)'),
          taskId,
        );
        if (r.status === 200) void refreshInstance();
      } else if (r.status === 400 && hasDetails(r.body) && r.body.details.length > 0) {
        showIssues(targets, r.body.details, summary, 'Not upgraded: ' + messageOf(r));
      } else {
        summary.textContent = 'Not upgraded: ' + messageOf(r);
        if (taskId) instanceResult('The upgrade failed', taskId);
      }
    } catch (e) {
      summary.textContent = 'Not upgraded: ' + errorText(e);
    } finally {
      instanceBusy = false;
    }
  }

  /** `POST /apskit/usage/sync`: a "Synchronize resource usage" task (the one under way, if any). */
  async function syncUsage() {
    if (instanceBusy) return;
    const summary = $('instance-error');
    clearErrors([], summary);
    $('instance-result').replaceChildren();
    instanceBusy = true;
    try {
      const r = /** @type {ApiAnswer<TaskJson>} */ (await api('POST', '/apskit/usage/sync'));
      if ((r.status === 200 || r.status === 202) && r.body && r.body.id) {
        upsertTask(r.body);
        instanceResult('Synchronizing resource usage', r.body.id);
      } else summary.textContent = 'Could not synchronize usage: ' + messageOf(r);
    } catch (e) {
      summary.textContent = 'Could not synchronize usage: ' + errorText(e);
    } finally {
      instanceBusy = false;
    }
  }

  // ---- forms from schemas ------------------------------------------------------------------------

  /**
   * Where a field's error shows, and the input it marks invalid.
   * @typedef {{ node?: HTMLElement | null, input: HTMLElement, error: HTMLElement }} ErrorTarget
   */

  /**
   * A form's field: its wrapper, and how to read its value (it throws when the text cannot be one).
   * @typedef {ErrorTarget & { node: HTMLElement, read?: () => unknown, refresh?: () => void }} Control
   */

  /**
   * Words for a property's type and rules, from its APS schema.
   * @param {PropertySchema} p @param {TypeJson | undefined} type
   */
  function describe(p, type) {
    /** @type {string[]} */
    const parts = [];
    const structure = type && type.structures ? type.structures[p.type] : undefined;
    if (structure) {
      const fields = Object.entries(structure.properties || {}).map(
        ([name, q]) => name + ' ' + q.type + (q.required ? ' required' : ''),
      );
      parts.push('JSON object ' + p.type + (fields.length ? ': ' + fields.join(', ') : ''));
    } else if (p.type === 'array') parts.push('JSON array' + (p.items ? ' of ' + p.items.type : ''));
    else if (p.type === 'object') parts.push('JSON object');
    else if (Array.isArray(p.enum)) parts.push('one of ' + p.enum.map((v) => JSON.stringify(v)).join(', '));
    else parts.push(p.type + (p.format ? ' (' + p.format + ')' : ''));
    if (p.default !== undefined) parts.push('default ' + JSON.stringify(p.default));
    if (p.minimum !== undefined) parts.push('at least ' + p.minimum);
    if (p.maximum !== undefined) parts.push('at most ' + p.maximum);
    if (p.minLength !== undefined) parts.push('at least ' + p.minLength + ' characters');
    if (p.maxLength !== undefined) parts.push('at most ' + p.maxLength + ' characters');
    if (p.pattern !== undefined) parts.push('matching ' + p.pattern);
    if (p.unit) parts.push('in ' + p.unit);
    if (p.final) parts.push('cannot change later');
    let text = parts.join(', ');
    if (p.description) text += '. ' + p.description;
    return text;
  }

  /**
   * What kind of control a property gets.
   * @param {PropertySchema} p @param {TypeJson | undefined} type
   */
  function controlKind(p, type) {
    if (Array.isArray(p.enum)) return 'enum';
    if (p.type === 'boolean') return 'boolean';
    if (p.type === 'integer' || p.type === 'number') return 'number';
    if (p.type === 'string') return 'text';
    if (p.type === 'array' || p.type === 'object' || (type && type.structures && type.structures[p.type]))
      return 'json';
    return 'text';
  }

  /**
   * A labelled field with its hint and its (empty) error.
   * @param {string} id @param {string} labelText @param {boolean} required @param {string} hint
   * @param {HTMLElement} input
   */
  function field(id, labelText, required, hint, input) {
    const hintId = id + '-hint';
    const errorId = id + '-error';
    input.setAttribute('id', id);
    input.setAttribute('aria-describedby', (hint ? hintId + ' ' : '') + errorId);
    if (required) input.setAttribute('aria-required', 'true');
    const error = h('p', { class: 'error', id: errorId });
    const node = h('div', { class: 'field' }, [
      h('label', { for: id }, [labelText, required ? h('span', { class: 'req', text: ' (required)' }) : null]),
      input,
      hint ? h('p', { class: 'hint', id: hintId, text: hint }) : null,
      error,
    ]);
    return { node, input, error };
  }

  /**
   * Text as the API wants a number: a number when it reads as one, else as typed (the API says why not).
   * @param {string} text
   */
  function numberOrText(text) {
    return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
  }

  /** @param {string} text @returns {unknown} */
  function jsonOf(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new Error('is not valid JSON (' + errorText(e) + ')');
    }
  }

  /**
   * A control for one property of a type's schema.
   * @param {string} idPrefix @param {string} name @param {PropertySchema} p @param {TypeJson | undefined} type
   * @returns {Control}
   */
  function propertyControl(idPrefix, name, p, type) {
    const kind = controlKind(p, type);
    const label = p.title ? p.title + ' (' + name + ')' : name;
    const hint = describe(p, type);
    const hasDefault = p.default !== undefined;
    /** @type {HTMLSelectElement | HTMLTextAreaElement | HTMLInputElement} */
    let input;
    /** @type {() => unknown} */
    let read;
    if (kind === 'enum' || kind === 'boolean') {
      // 'enum' is the kind of a property with an enum list.
      const values = kind === 'enum' ? /** @type {unknown[]} */ (p.enum) : [true, false];
      const titles = kind === 'enum' && Array.isArray(p.enumTitles) ? p.enumTitles : [];
      const options = [h('option', { value: '', text: '(not set)' })].concat(
        values.map((v, i) =>
          h('option', { value: String(i), text: titles[i] ? titles[i] + ' (' + String(v) + ')' : String(v) }),
        ),
      );
      input = h('select', { name }, options);
      if (hasDefault) input.value = String(values.indexOf(p.default));
      read = () => (input.value === '' ? undefined : values[Number(input.value)]);
    } else if (kind === 'json') {
      input = h('textarea', { name, rows: 3, spellcheck: 'false' });
      if (hasDefault) input.value = JSON.stringify(p.default);
      read = () => (input.value.trim() === '' ? undefined : jsonOf(input.value));
    } else {
      const inputType = p.encrypted ? 'password' : p.format === 'email' ? 'email' : p.format === 'uri' ? 'url' : 'text';
      input = h('input', {
        name,
        type: inputType,
        inputmode: kind === 'number' ? (p.type === 'integer' ? 'numeric' : 'decimal') : null,
        autocomplete: 'off',
        spellcheck: 'false',
      });
      if (hasDefault) input.value = String(p.default);
      read = () => {
        const text = input.value;
        if (text === '') return undefined;
        return kind === 'number' ? numberOrText(text.trim()) : text;
      };
    }
    const control = field(idPrefix + name, label, Boolean(p.required), hint, input);
    return { ...control, read };
  }

  /**
   * A control that links the new resource to an existing one through a relation.
   * @param {string} idPrefix @param {string} name @param {RelationSchema} relation
   * @returns {Control}
   */
  function relationControl(idPrefix, name, relation) {
    const target = typeById(relation.type);
    const automatic = Boolean(relation.required && isApplication(target));
    const input = h('select', { name });
    const refresh = () => {
      const chosen = input.value;
      const candidates = Array.from(state.resources.values()).filter((r) => {
        const t = typeById(r.aps.type);
        return r.aps.type === relation.type || Boolean(t && (t.implements || []).includes(relation.type));
      });
      input.replaceChildren(
        h('option', {
          value: '',
          text: automatic ? '(the application instance, linked automatically)' : '(none)',
        }),
        ...candidates.map((r) =>
          h('option', {
            value: r.aps.id,
            text:
              (typeById(r.aps.type) || { name: r.aps.type }).name + ' ' + short(r.aps.id) + ' (' + r.aps.status + ')',
          }),
        ),
      );
      if (candidates.some((r) => r.aps.id === chosen)) input.value = chosen;
    };
    refresh();
    const hint = 'Relation to ' + (target ? target.name : relation.type);
    const control = field(idPrefix + name, name, Boolean(relation.required), hint, input);
    return { ...control, read: () => (input.value === '' ? undefined : { aps: { id: input.value } }), refresh };
  }

  /** @type {Map<string, Control>} the create form's controls, by property or relation name */
  const createControls = new Map();

  function creatableTypes() {
    const creatable = state.types.filter((t) => !isApplication(t));
    return creatable.length > 0 ? creatable : state.types;
  }

  function renderCreateTypes() {
    const select = /** @type {HTMLSelectElement} */ ($('create-type'));
    const previous = select.value;
    const types = creatableTypes();
    select.replaceChildren(...types.map((t) => h('option', { value: t.id, text: t.name })));
    if (types.some((t) => t.id === previous)) select.value = previous;
    renderCreateFields();
  }

  function renderCreateFields() {
    const type = typeById(/** @type {HTMLSelectElement} */ ($('create-type')).value);
    $('create-type-hint').textContent = type ? type.id : '';
    createControls.clear();
    clearErrors([$('create-type-error')], $('create-error'));
    /** @type {HTMLElement[]} */
    const nodes = [];
    if (type) {
      for (const [name, p] of Object.entries(type.properties || {})) {
        if (p.readonly) continue;
        createControls.set(name, propertyControl('create-f-', name, p, type));
      }
      for (const [name, r] of Object.entries(type.relations || {})) {
        if (r.collection) continue;
        createControls.set(name, relationControl('create-f-', name, r));
      }
      for (const c of createControls.values()) nodes.push(c.node);
      if (nodes.length === 0)
        nodes.push(h('p', { class: 'hint', text: 'A ' + type.name + ' has nothing to fill in.' }));
    }
    $('create-fields').replaceChildren(...nodes);
  }

  /** @param {HTMLElement[]} errorEls @param {HTMLElement} summary */
  function clearErrors(errorEls, summary) {
    for (const el of errorEls) {
      el.textContent = '';
      const input = el.id ? document.querySelector('[aria-describedby~="' + el.id + '"]') : null;
      if (input) input.removeAttribute('aria-invalid');
    }
    summary.textContent = '';
  }

  /**
   * Puts each issue next to the field it names ('quota', 'contact.email' and 'items[0]' go to the
   * field of their first segment); the rest, and the message, go to the form's summary. Focus goes
   * to the first field in error, so that a keyboard user lands where the fix is.
   * @param {Map<string, ErrorTarget>} controls @param {Issue[]} issues
   * @param {HTMLElement} summary @param {string} message
   */
  function showIssues(controls, issues, summary, message) {
    /** @type {string[]} */
    const unplaced = [];
    /** @type {HTMLElement | null} */
    let first = null;
    for (const issue of issues) {
      const name = String(issue.field || '');
      const control = controls.get(name.split(/[.[]/)[0]);
      const text = (name ? name + ' ' : '') + String(issue.message || 'is invalid');
      if (!control) {
        unplaced.push(text);
        continue;
      }
      control.error.textContent = control.error.textContent ? control.error.textContent + '; ' + text : text;
      control.input.setAttribute('aria-invalid', 'true');
      first = first || control.input;
    }
    summary.textContent = message + (unplaced.length ? ' ' + unplaced.join('; ') + '.' : '');
    if (first) first.focus();
  }

  let creating = false;

  /** @param {Event} event */
  async function submitCreate(event) {
    event.preventDefault();
    if (creating) return;
    const type = typeById(/** @type {HTMLSelectElement} */ ($('create-type')).value);
    const summary = $('create-error');
    /** @type {Map<string, ErrorTarget>} */
    const errorTargets = new Map(createControls);
    errorTargets.set('aps', { node: null, input: $('create-type'), error: $('create-type-error') });
    clearErrors(
      Array.from(errorTargets.values()).map((c) => c.error),
      summary,
    );
    $('create-result').textContent = '';
    if (!type) {
      showIssues(errorTargets, [{ field: 'aps.type', message: 'is required' }], summary, 'Choose a type.');
      return;
    }
    /** @type {Record<string, unknown>} */
    const body = { aps: { type: type.id } };
    /** @type {Issue[]} */
    const issues = [];
    for (const [name, control] of createControls) {
      try {
        const value = control.read ? control.read() : undefined;
        if (value !== undefined) body[name] = value;
      } catch (e) {
        issues.push({ field: name, message: errorText(e) });
      }
    }
    if (issues.length > 0) {
      showIssues(errorTargets, issues, summary, 'Not sent: fix the fields marked.');
      return;
    }
    creating = true;
    try {
      const r = /** @type {ApiAnswer<ResourceJson>} */ (await api('POST', '/aps/2/resources', body));
      if (r.status === 200 || r.status === 202) {
        upsertResource(r.body);
        const taskId = r.headers.get('APSKit-Task-ID');
        $('create-result').textContent =
          'Created ' +
          type.name +
          ' ' +
          r.body.aps.id +
          ': ' +
          r.body.aps.status +
          (taskId ? ', task ' + taskId : '') +
          '.';
        if (taskId) void refreshTask(taskId);
        renderCreateFields();
      } else if (hasDetails(r.body) && r.body.details.length > 0) {
        showIssues(errorTargets, r.body.details, summary, 'Not created: ' + messageOf(r));
      } else {
        summary.textContent = 'Not created: ' + messageOf(r);
      }
    } catch (e) {
      summary.textContent = 'Not created: ' + errorText(e);
    } finally {
      creating = false;
    }
  }

  // ---- resources ---------------------------------------------------------------------------------

  /** @type {Map<string, HTMLTableSectionElement>} type id -> its section's tbody */
  const resourceTables = new Map();

  function renderResources() {
    const root = $('resources');
    const types = state.types;
    const wanted = types.map((t) => t.id).join(' ');
    if (root.getAttribute('data-types') !== wanted) {
      root.setAttribute('data-types', wanted);
      resourceTables.clear();
      root.replaceChildren(
        ...types.map((t) => {
          const tbody = h('tbody');
          resourceTables.set(t.id, tbody);
          const headingId = 'resources-' + t.name;
          return h('section', { 'aria-labelledby': headingId, 'data-type': t.id }, [
            h('h3', { id: headingId }, [t.name, ' ', h('span', { class: 'count', 'data-count': '' })]),
            h('table', { class: 'cards' }, [
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['Resource', 'Status', 'Revision', 'Modified', 'Properties', 'Actions'].map((c) =>
                    h('th', { scope: 'col', text: c }),
                  ),
                ),
              ),
              tbody,
            ]),
          ]);
        }),
      );
      if (types.length === 0)
        root.replaceChildren(h('p', { class: 'empty', text: 'This application serves no types.' }));
    }
    for (const t of types) {
      // Each type got its table above.
      const tbody = /** @type {HTMLTableSectionElement} */ (resourceTables.get(t.id));
      const list = Array.from(state.resources.values())
        .filter((r) => r.aps.type === t.id)
        .sort((a, b) => (a.aps.id === state.globalsId ? -1 : b.aps.id === state.globalsId ? 1 : 0));
      const lostFocus = reconcile(tbody, list, (r) => r.aps.id, resourceRow);
      const section = /** @type {HTMLElement} */ (tbody.closest('section'));
      /** @type {Element} */ (section.querySelector('[data-count]')).textContent = '(' + list.length + ')';
      if (lostFocus) $('resources-heading').focus();
    }
    for (const c of createControls.values()) if (c.refresh) c.refresh();
    renderInstance();
  }

  /**
   * Whether a value is a link (a relation's value in a read: `{aps: {link, …}}`).
   * @param {unknown} value
   */
  function isLink(value) {
    if (typeof value !== 'object' || value === null) return false;
    const aps = /** @type {{ aps?: unknown }} */ (value).aps;
    return (
      typeof aps === 'object' && aps !== null && typeof (/** @type {{ link?: unknown }} */ (aps).link) === 'string'
    );
  }

  /** The resource's properties as JSON text, its links left out (the links dialog shows them). @param {ResourceJson} resource */
  function propertiesText(resource) {
    const { aps: _aps, ...rest } = resource;
    /** @type {Record<string, unknown>} */
    const properties = {};
    for (const [key, value] of Object.entries(rest)) if (!isLink(value)) properties[key] = value;
    const text = JSON.stringify(properties);
    if (text === '{}') return '';
    return text.length > 240 ? text.slice(0, 239) + '…' : text;
  }

  /** @param {TypeJson | undefined} type @returns {Array<[string, RelationSchema]>} */
  function relationsOf(type) {
    return Object.entries((type && type.relations) || {});
  }

  /** @param {TypeJson | undefined} type */
  function operationsOf(type) {
    return Object.entries((type && type.operations) || {}).filter(([, op]) => !op.static);
  }

  /** @param {ResourceJson} r */
  function resourceRow(r) {
    const id = r.aps.id;
    const type = typeById(r.aps.type);
    const isGlobals = id === state.globalsId;
    const props = propertiesText(r);
    const codeId = 'resource-id-' + id;
    const actions = [
      h('button', {
        type: 'button',
        'data-focus': 'tasks',
        'aria-describedby': codeId,
        text: 'Tasks',
        onclick: () => filterByResource(id),
      }),
    ];
    if (relationsOf(type).length > 0)
      actions.push(
        h('button', {
          type: 'button',
          'data-focus': 'links',
          'aria-describedby': codeId,
          'aria-haspopup': 'dialog',
          text: 'Links',
          onclick: () => openLinks(id),
        }),
      );
    if (operationsOf(type).length > 0)
      actions.push(
        h('button', {
          type: 'button',
          'data-focus': 'operations',
          'aria-describedby': codeId,
          text: 'Operations',
          onclick: () => openOperations(id),
        }),
      );
    if (!isGlobals && r.aps.status !== 'aps:unprovisioning')
      actions.push(
        h('button', {
          type: 'button',
          'data-focus': 'unprovision',
          'aria-describedby': codeId,
          text: 'Unprovision',
          onclick: () => void unprovision(id),
        }),
      );
    return h('tr', { 'data-resource-id': id, 'data-status': r.aps.status }, [
      cell('Resource', [
        h('code', { id: codeId, title: id, text: short(id) }),
        isGlobals ? h('span', { class: 'sub', text: 'application instance' }) : null,
      ]),
      cell('Status', badge(r.aps.status)),
      cell('Revision', String(r.aps.revision), 'num'),
      cell('Modified', timeEl(r.aps.modified)),
      cell('Properties', props ? h('code', { text: props }) : dash()),
      cell('Actions', h('div', { class: 'actions' }, actions)),
    ]);
  }

  /** @param {string} id */
  async function unprovision(id) {
    const r0 = state.resources.get(id);
    const name = r0 ? (typeById(r0.aps.type) || { name: r0.aps.type }).name : 'resource';
    if (!window.confirm('Unprovision ' + name + ' ' + id + '?')) return;
    try {
      const r = /** @type {ApiAnswer<ResourceJson | null>} */ (
        await api('DELETE', '/aps/2/resources/' + encodeURIComponent(id))
      );
      const taskId = r.headers.get('APSKit-Task-ID');
      if (r.status === 204) {
        removeResource(id);
        notice('Unprovisioned ' + name + ' ' + id + '.');
      } else if (r.status === 200 || r.status === 202) {
        if (r.body && r.body.aps) upsertResource(r.body);
        notice('Unprovisioning ' + name + ' ' + id + (taskId ? ': task ' + taskId : '') + '.');
      } else notice('Could not unprovision ' + name + ' ' + id + ': ' + messageOf(r), true);
      if (taskId) void refreshTask(taskId);
    } catch (e) {
      notice('Could not unprovision ' + name + ' ' + id + ': ' + errorText(e), true);
    }
  }

  // ---- links -------------------------------------------------------------------------------------

  /** A resource as the links dialog names it: its type's name and short id. @param {string} id */
  function resourceName(id) {
    const r = state.resources.get(id);
    const type = r ? typeById(r.aps.type) : undefined;
    return (type ? type.name : r ? r.aps.type : 'resource') + ' ' + short(id);
  }

  /** 'a ' or 'an ', as the name sounds to most readers. @param {string} name */
  const article = (name) => (/^[aeiou]/i.test(name) ? 'an ' : 'a ');

  /** @param {string} id */
  const resourcePath = (id) => '/aps/2/resources/' + encodeURIComponent(id);

  /**
   * Opens the links dialog on a resource, or moves it there from the resource it shows (a linked
   * resource is a button that opens its own links).
   * @param {string} resourceId
   */
  function openLinks(resourceId) {
    const moving = state.openLinksId !== null;
    state.openLinksId = resourceId;
    $('links-error').textContent = '';
    $('links-result').textContent = '';
    openDialog(/** @type {HTMLDialogElement} */ ($('links-dialog')));
    void refreshLinks().then(() => {
      // The button that moved the dialog is gone: focus goes to the title, which says where it is now.
      if (moving && state.openLinksId === resourceId) $('links-dialog-title').focus();
    });
  }

  let linksSequence = 0;

  /** Reads the open resource's links and renders them. */
  async function refreshLinks() {
    const id = state.openLinksId;
    if (!id) return;
    const sequence = ++linksSequence;
    const resource = state.resources.get(id);
    const type = resource ? typeById(resource.aps.type) : undefined;
    $('links-dialog-title').textContent = 'Links of ' + resourceName(id);
    $('links-resource').replaceChildren(
      h('code', { text: id }),
      resource ? ' ' : '',
      resource ? badge(resource.aps.status) : '',
    );
    try {
      const r = /** @type {ApiAnswer<LinkEntry[]>} */ (await api('GET', resourcePath(id) + '/aps/links'));
      // An answer overtaken by a later read, or for a resource no longer shown, is dropped.
      if (sequence !== linksSequence || state.openLinksId !== id) return;
      if (r.status !== 200) {
        $('links-error').textContent = 'Could not read the links: ' + messageOf(r);
        $('links-relations').replaceChildren();
        return;
      }
      renderLinks(id, type, r.body);
    } catch (e) {
      if (sequence === linksSequence) $('links-error').textContent = 'Could not read the links: ' + errorText(e);
    }
  }

  /**
   * Each relation of the resource's type: what it links to now (each linked resource a button to
   * its own links, with an Unlink button), and a form that links a resource of the relation's type.
   * @param {string} id @param {TypeJson | undefined} type @param {LinkEntry[]} links
   */
  function renderLinks(id, type, links) {
    const sections = relationsOf(type).map(([name, relation]) => {
      const target = typeById(relation.type);
      const targetName = target ? target.name : relation.type;
      const mine = links.filter((l) => l.relation === name);
      const headingId = 'links-rel-' + name;
      const kind =
        (relation.collection ? 'a collection of ' : 'one ') + targetName + (relation.required ? ', required' : '');
      const linkedIds = new Set(mine.map((l) => l.aps.id));
      const candidates = Array.from(state.resources.values()).filter((r) => {
        if (r.aps.id === id || linkedIds.has(r.aps.id)) return false;
        const t = typeById(r.aps.type);
        return r.aps.type === relation.type || Boolean(t && (t.implements || []).includes(relation.type));
      });
      const selectId = 'link-target-' + name;
      const select = h(
        'select',
        { id: selectId, name: 'target', 'data-focus': 'select-' + name, disabled: candidates.length === 0 },
        candidates.length === 0
          ? [h('option', { value: '', text: '(no other ' + targetName + ' to link)' })]
          : candidates.map((r) =>
              h('option', { value: r.aps.id, text: resourceName(r.aps.id) + ' (' + r.aps.status + ')' }),
            ),
      );
      const relink = !relation.collection && mine.length > 0;
      const form = h('form', { class: 'link', novalidate: true, 'aria-label': 'Link through ' + name }, [
        h('div', { class: 'field' }, [
          h('label', { for: selectId, text: (relink ? 'Relink to ' : 'Link ') + article(targetName) + targetName }),
          select,
        ]),
        h('button', {
          type: 'submit',
          'data-focus': 'link-' + name,
          disabled: candidates.length === 0,
          text: relink ? 'Relink' : 'Link',
        }),
      ]);
      form.addEventListener('submit', (/** @type {Event} */ event) => {
        event.preventDefault();
        if (select.value) void changeLink('link', id, name, select.value);
      });
      return h('section', { class: 'relation', 'data-relation': name, 'aria-labelledby': headingId }, [
        h('h3', { id: headingId, tabindex: '-1', 'data-focus': 'heading-' + name }, [
          name,
          ' ',
          h('span', { class: 'sub', text: kind }),
        ]),
        mine.length === 0
          ? h('p', { class: 'empty', text: 'Not linked.' })
          : h(
              'ul',
              { class: 'links' },
              mine.map((l) =>
                h('li', { 'data-linked-id': l.aps.id, 'data-link': l.aps.link }, [
                  h('button', {
                    type: 'button',
                    class: 'link',
                    title: 'Show the links of ' + l.aps.id,
                    'data-focus': 'open-' + name + '-' + l.aps.id,
                    text: resourceName(l.aps.id),
                    onclick: () => openLinks(l.aps.id),
                  }),
                  h('span', { class: 'sub', text: l.aps.link }),
                  h('button', {
                    type: 'button',
                    'aria-label': 'Unlink ' + resourceName(l.aps.id) + ' from ' + name,
                    'data-focus': 'unlink-' + name + '-' + l.aps.id,
                    text: 'Unlink',
                    onclick: () => void changeLink('unlink', id, name, l.aps.id),
                  }),
                ]),
              ),
            ),
        form,
      ]);
    });
    // A refresh (after a change event) keeps what the user was doing: each list's choice, and focus.
    const root = $('links-relations');
    const active = document.activeElement;
    const focusKey = active && root.contains(active) ? active.getAttribute('data-focus') : null;
    /** @type {Map<string, string>} */
    const chosen = new Map();
    for (const select of Array.from(root.querySelectorAll('select'))) chosen.set(select.id, select.value);
    root.replaceChildren(
      ...(sections.length > 0 ? sections : [h('p', { class: 'empty', text: 'This type has no relations.' })]),
    );
    for (const [selectId, value] of chosen) {
      const select = /** @type {HTMLSelectElement | null} */ (document.getElementById(selectId));
      if (select && Array.from(select.options).some((o) => o.value === value)) select.value = value;
    }
    const again = focusKey
      ? /** @type {HTMLElement | null} */ (root.querySelector('[data-focus="' + focusKey + '"]'))
      : null;
    if (again) again.focus();
  }

  let linksTimer = 0;
  /** Reads the open dialog's links again soon: a burst of resource events costs one read. */
  function scheduleLinksRefresh() {
    if (state.openLinksId && !linksTimer)
      linksTimer = window.setTimeout(() => {
        linksTimer = 0;
        void refreshLinks();
      }, 50);
  }

  let changingLink = false;

  /**
   * Links (`POST /aps/2/resources/{id}/{relation}` naming the resource by `aps.id`) or unlinks
   * (`DELETE /aps/2/resources/{id}/{relation}/{id2}`), then shows the links as they now are. The
   * controller asks the app's endpoint first: its refusal, or the controller's own (a required
   * link, a resource of another type), shows in the dialog and changes nothing.
   * @param {'link' | 'unlink'} verb @param {string} id @param {string} relation @param {string} targetId
   */
  async function changeLink(verb, id, relation, targetId) {
    if (changingLink) return;
    changingLink = true;
    $('links-error').textContent = '';
    $('links-result').textContent = '';
    const what =
      resourceName(targetId) + (verb === 'link' ? ' to ' : ' from ') + resourceName(id) + ' (' + relation + ')';
    try {
      const path = resourcePath(id) + '/' + encodeURIComponent(relation);
      const r =
        verb === 'link'
          ? await api('POST', path, { aps: { id: targetId } })
          : await api('DELETE', path + '/' + encodeURIComponent(targetId));
      if (r.status >= 200 && r.status < 300)
        $('links-result').textContent = (verb === 'link' ? 'Linked ' : 'Unlinked ') + what + '.';
      else {
        const details = hasDetails(r.body)
          ? r.body.details.map((d) => (d.field ? d.field + ' ' : '') + String(d.message || 'is invalid'))
          : [];
        $('links-error').textContent =
          'Could not ' +
          verb +
          ' ' +
          what +
          ': ' +
          messageOf(r) +
          (details.length ? ' (' + details.join('; ') + ')' : '');
      }
    } catch (e) {
      $('links-error').textContent = 'Could not ' + verb + ' ' + what + ': ' + errorText(e);
    } finally {
      changingLink = false;
    }
    if (state.openLinksId !== id) return;
    await refreshLinks();
    // The rendering replaced the button that was pressed: focus goes to its relation's heading.
    const heading = document.getElementById('links-rel-' + relation);
    if (heading && !$('links-dialog').contains(document.activeElement)) heading.focus();
  }

  // ---- custom operations -------------------------------------------------------------------------

  /** @param {string} resourceId */
  function openOperations(resourceId) {
    const resource = state.resources.get(resourceId);
    if (!resource) return;
    // Operations are offered only on a resource whose type has some.
    const type = /** @type {TypeJson} */ (typeById(resource.aps.type));
    $('operation-dialog-title').textContent = 'Operations of ' + type.name + ' ' + resourceId;
    $('operation-forms').replaceChildren(
      ...operationsOf(type).map(([name, op]) => operationForm(resourceId, name, op, type)),
    );
    openDialog(/** @type {HTMLDialogElement} */ ($('operation-dialog')));
  }

  /**
   * @param {string} resourceId @param {string} name @param {OperationSchema} op @param {TypeJson} type
   */
  function operationForm(resourceId, name, op, type) {
    /** @type {Map<string, Control>} */
    const controls = new Map();
    const prefix = 'op-' + name + '-';
    for (const [param, spec] of Object.entries(op.parameters || {})) {
      // A body parameter is the whole JSON body, whatever its type: it is typed as JSON.
      const control = propertyControl(prefix, param, spec.kind === 'body' ? { ...spec, type: 'object' } : spec, type);
      const hint = control.node.querySelector('.hint');
      if (hint) hint.textContent = spec.kind + ' parameter, ' + describe(spec, type);
      controls.set(param, control);
    }
    const summary = h('div', { class: 'form-error', role: 'alert' });
    const output = h('div', { class: 'result', role: 'status' });
    const form = h('form', { class: 'operation', novalidate: true, 'aria-label': 'Operation ' + name }, [
      h('h3', null, [name, ' ', h('code', { text: op.verb + ' ' + op.path })]),
      ...Array.from(controls.values()).map((c) => c.node),
      summary,
      h('button', { type: 'submit', class: 'primary', text: 'Call ' + name }),
      output,
    ]);
    form.addEventListener('submit', async (/** @type {Event} */ event) => {
      event.preventDefault();
      clearErrors(
        Array.from(controls.values()).map((c) => c.error),
        summary,
      );
      output.replaceChildren();
      let path = op.path;
      const query = new URLSearchParams();
      /** @type {unknown} */
      let body;
      /** @type {Issue[]} */
      const issues = [];
      for (const [param, control] of controls) {
        // A control exists for each declared parameter.
        const spec = /** @type {Record<string, ParameterSchema>} */ (op.parameters)[param];
        /** @type {unknown} */
        let value;
        try {
          value = control.read ? control.read() : undefined;
        } catch (e) {
          issues.push({ field: param, message: errorText(e) });
          continue;
        }
        if (spec.kind === 'path') {
          if (value === undefined) issues.push({ field: param, message: 'is required' });
          else path = path.split('{' + param + '}').join(encodeURIComponent(String(value)));
        } else if (spec.kind === 'query') {
          if (value !== undefined) query.set(param, String(value));
        } else body = value;
      }
      if (issues.length > 0) {
        showIssues(controls, issues, summary, 'Not sent: fix the fields marked.');
        return;
      }
      const url =
        '/aps/2/resources/' + encodeURIComponent(resourceId) + path + (query.toString() ? '?' + query.toString() : '');
      try {
        const r = await api(op.verb, url, body);
        output.replaceChildren(
          h('p', { text: op.verb + ' ' + url + ': HTTP ' + r.status }),
          // An empty answer passes null, which the DOM writes as the text "null".
          /** @type {Node | string} */ (
            r.body === null ? null : h('pre', { class: 'out', text: JSON.stringify(r.body, null, 2) })
          ),
        );
        if (r.status === 400 && hasDetails(r.body)) showIssues(controls, r.body.details, summary, messageOf(r));
      } catch (e) {
        summary.textContent = 'Not sent: ' + errorText(e);
      }
    });
    return form;
  }

  // ---- tasks -------------------------------------------------------------------------------------

  function visibleTasks() {
    let list = Array.from(state.tasks.values());
    if (state.filter.status) list = list.filter((t) => t.status === state.filter.status);
    if (state.filter.resourceId) list = list.filter((t) => t.resourceId === state.filter.resourceId);
    return list.sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
    );
  }

  function renderTasks() {
    const all = visibleTasks();
    const shown = all.slice(0, MAX_TASKS);
    const table = /** @type {HTMLTableElement} */ ($('tasks'));
    const lostFocus = reconcile(table.tBodies[0], shown, (t) => t.id, taskRow);
    table.hidden = shown.length === 0;
    $('tasks-empty').hidden = shown.length > 0;
    $('task-count').textContent =
      all.length > shown.length
        ? 'the latest ' + shown.length + ' of ' + all.length + ' tasks'
        : all.length + (all.length === 1 ? ' task' : ' tasks');
    if (lostFocus) $('tasks-heading').focus();
  }

  /**
   * A task's buttons, or a dash when it has none.
   * @param {TaskSummary} t @param {'row' | 'dialog'} where
   */
  function taskActions(t, where) {
    const describedBy = where + '-name-' + t.id;
    /** @type {HTMLButtonElement[]} */
    const buttons = [];
    if (t.status === 'failed')
      buttons.push(
        h('button', {
          type: 'button',
          'data-focus': 'rerun',
          'aria-describedby': describedBy,
          text: 'Rerun',
          onclick: () => void taskAction(t.id, 'rerun'),
        }),
      );
    if (t.status === 'scheduled')
      buttons.push(
        h('button', {
          type: 'button',
          'data-focus': 'cancel',
          'aria-describedby': describedBy,
          text: 'Cancel',
          onclick: () => void taskAction(t.id, 'cancel'),
        }),
      );
    return buttons.length > 0 ? h('div', { class: 'actions' }, buttons) : dash();
  }

  /** @param {TaskSummary} t */
  function taskRow(t) {
    return h('tr', { 'data-task-id': t.id, 'data-status': t.status, 'data-resource-id': t.resourceId }, [
      cell('Task', [
        h('button', {
          type: 'button',
          class: 'link',
          id: 'row-name-' + t.id,
          'data-focus': 'open',
          'aria-haspopup': 'dialog',
          text: t.name,
          onclick: () => openTask(t.id),
        }),
        h('span', { class: 'sub' }, ['resource ', idCode(t.resourceId)]),
      ]),
      cell('Status', badge(t.status)),
      cell('Attempts', String(t.attempts), 'num'),
      cell('Next run', t.status === 'scheduled' ? timeEl(t.nextRunAt) : dash()),
      cell('Description', t.description || dash()),
      cell('Output', t.output || dash()),
      cell('Actions', taskActions(t, 'row')),
    ]);
  }

  /** @param {string} id @param {'rerun' | 'cancel'} verb */
  async function taskAction(id, verb) {
    const task = state.tasks.get(id);
    const what = task ? task.name + ' (' + short(id) + ')' : 'task ' + id;
    try {
      const r = /** @type {ApiAnswer<TaskJson>} */ (
        await api('POST', '/apskit/tasks/' + encodeURIComponent(id) + '/' + verb)
      );
      if (r.status === 200) {
        upsertTask(r.body);
        notice((verb === 'rerun' ? 'Running again: ' : 'Canceled: ') + what + '.');
      } else notice('Could not ' + verb + ' ' + what + ': ' + messageOf(r), true);
    } catch (e) {
      notice('Could not ' + verb + ' ' + what + ': ' + errorText(e), true);
    }
  }

  /** @param {string} resourceId */
  function filterByResource(resourceId) {
    state.filter.resourceId = resourceId;
    $('task-resource-id').textContent = resourceId;
    $('task-resource-filter').hidden = false;
    renderTasks();
    $('tasks-heading').focus();
  }

  // ---- a task's history --------------------------------------------------------------------------

  /** @param {HTMLDialogElement} dialog */
  function openDialog(dialog) {
    // A dialog that moves on while open (the links dialog) gives focus back to what first opened it.
    if (dialog.open) return;
    state.dialogOpener = document.activeElement;
    dialog.showModal();
  }

  /** @param {string} id */
  function openTask(id) {
    state.openTaskId = id;
    const task = state.tasks.get(id);
    if (task) renderTaskDialog(task, null);
    openDialog(/** @type {HTMLDialogElement} */ ($('task-dialog')));
    void refreshOpenTask();
  }

  async function refreshOpenTask() {
    dialogTimer = 0;
    const id = state.openTaskId;
    if (!id) return;
    const sequence = ++dialogSequence;
    try {
      const r = /** @type {ApiAnswer<TaskJson>} */ (await api('GET', '/apskit/tasks/' + encodeURIComponent(id)));
      // An answer that an earlier request's overtook, or for a task no longer open, is dropped.
      if (sequence !== dialogSequence || state.openTaskId !== id || r.status !== 200) return;
      upsertTask(r.body);
      renderTaskDialog(r.body, r.body.history);
    } catch (e) {
      notice('Could not load the task: ' + errorText(e), true);
    }
  }

  /**
   * Fills the task dialog; the history only when it is known (the summary in hand has none).
   * @param {TaskSummary} t @param {HistoryEntry[] | null | undefined} history
   */
  function renderTaskDialog(t, history) {
    $('task-dialog-title').textContent = t.name;
    /** @type {Array<[string, Child]>} */
    const facts = [
      ['Status', badge(t.status)],
      ['Task', h('code', { id: 'dialog-name-' + t.id, text: t.id })],
      ['Resource', h('code', { text: t.resourceId })],
      ['Operation', t.operation],
      ['Attempts', String(t.attempts)],
      ['Next run', t.status === 'scheduled' ? timeEl(t.nextRunAt) : dash()],
      ['Description', t.description || dash()],
      ['Output', t.output || dash()],
      ['Created', timeEl(t.createdAt)],
      ['Updated', timeEl(t.updatedAt)],
      ['Ended', timeEl(t.endedAt)],
      ['Polling deadline', timeEl(t.deadlineAt)],
    ];
    if (t.requestId) facts.push(['Request id', h('code', { text: t.requestId })]);
    $('task-facts').replaceChildren(...facts.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', null, v)]));
    const actions = $('task-actions');
    const buttons = taskActions(t, 'dialog');
    // The table shows a dash for "no actions"; the dialog just has none.
    const fresh = buttons.tagName === 'DIV' ? buttons : h('div');
    if (actions.innerHTML !== fresh.outerHTML) {
      const hadFocus = actions.contains(document.activeElement);
      actions.replaceChildren(fresh);
      if (hadFocus) {
        // The dialog always has its close button.
        const next = /** @type {HTMLElement} */ (
          actions.querySelector('button') || $('task-dialog').querySelector('[data-close]')
        );
        next.focus();
      }
    }
    if (history) {
      /** @type {HTMLTableElement} */ ($('task-history')).tBodies[0].replaceChildren(
        ...history.map((e) =>
          h('tr', { 'data-kind': e.kind }, [
            cell('When', h('time', { datetime: e.at, text: clock(e.at) })),
            cell('Event', e.kind),
            cell('Attempt', String(e.attempt), 'num'),
            cell('Message', e.message || dash()),
          ]),
        ),
      );
    }
  }

  // ---- start -------------------------------------------------------------------------------------

  for (const dialog of Array.from(document.querySelectorAll('dialog'))) {
    const close = dialog.querySelector('[data-close]');
    if (close) close.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      if (dialog.id === 'task-dialog') {
        state.openTaskId = null;
        /** @type {HTMLTableElement} */ ($('task-history')).tBodies[0].replaceChildren();
      }
      if (dialog.id === 'links-dialog') {
        state.openLinksId = null;
        $('links-relations').replaceChildren();
      }
      const opener = state.dialogOpener;
      state.dialogOpener = null;
      // Focus goes back where it came from; if that row went meanwhile, to the section.
      if (opener && opener.isConnected && opener instanceof HTMLElement) opener.focus();
      else $('tasks-heading').focus();
    });
  }
  $('signin-form').addEventListener('submit', submitSignIn);
  $('create-type').addEventListener('change', renderCreateFields);
  $('create-form').addEventListener('submit', submitCreate);
  $('upgrade-form').addEventListener('submit', submitUpgrade);
  $('usage-sync').addEventListener('click', () => void syncUsage());
  $('task-status').addEventListener('change', () => {
    state.filter.status = /** @type {HTMLSelectElement} */ ($('task-status')).value;

    renderTasks();
  });
  $('task-resource-clear').addEventListener('click', () => {
    state.filter.resourceId = '';
    $('task-resource-filter').hidden = true;
    renderTasks();
    $('task-status').focus();
  });
  // Relative times ("in 12 s") stay true without a re-render.
  window.setInterval(() => {
    for (const el of Array.from(document.querySelectorAll('time[data-rel]'))) {
      const iso = el.getAttribute('datetime');
      if (iso) el.textContent = relative(iso) + ' (' + clock(iso) + ')';
    }
  }, 1000);

  connect();
  void loadSnapshot();
})();
