// The host's plugins page, for the platform admin: the catalog of the plugin repositories and,
// for one plugin, its actions (install, enable, disable, update, uninstall, purge), its config
// form built from the plugin's config_schema, and its history. It calls only the host's admin
// API (/api/admin/plugins...) with this tab's token. Data is only ever put in the page as text
// (textContent), never as markup: every element is built by el, the DOM builder the billing
// pages share (dom.js).

import { el } from './dom.js';

const TOKEN_KEY = 'streamspace.admin.token';
const PLUGINS = '/api/admin/plugins';

/** What the catalog was last searched for, and the plugin shown below it (its id). */
let query = '';
let selected = null;

/** An answer of the API that is not a 2xx: its status, the error's code, message, field. */
class ApiError extends Error {
  constructor(status, code, message, field, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details || [];
  }
}

/** The bearer token of this tab: kept in sessionStorage only (the tab, never a URL). */
function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * A sign-in link (…/admin/plugins#token=<token>, as the billing pages take it): the token moves
 * from the address into sessionStorage, and the address loses it at once, so it is neither kept
 * in the history nor shown.
 */
function takeTokenFromAddress() {
  const match = /^#token=([^&]+)$/.exec(window.location.hash);
  if (match) {
    let value = '';
    try {
      value = decodeURIComponent(match[1]).trim();
    } catch (e) {
      value = '';
    }
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
    }
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
}

/**
 * Calls a JSON route of this host's admin API with the tab's token. Only a same-origin path
 * under /api/ is accepted: the token is never sent anywhere else. bodyText, when given, is sent
 * as it is (JSON text: numbers typed in the config form reach the API digit for digit). Answers
 * the status and the parsed body of a 2xx; throws an ApiError for any other status.
 */
async function call(path, method = 'GET', bodyText = undefined, moreHeaders = {}) {
  if (typeof path !== 'string' || !path.startsWith('/api/') || path.includes('//')
      || path.includes('\\')) {
    throw new Error('refused: only same-origin /api/ paths are called');
  }
  const headers = { ...moreHeaders, Accept: 'application/json' };
  if (token() !== null) {
    headers.Authorization = 'Bearer ' + token();
  }
  const init = {
    method, headers, credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
    cache: 'no-store',
  };
  if (bodyText !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = bodyText;
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const error = (body && body.error) || {};
    throw new ApiError(response.status, error.code || 'http_' + response.status,
        error.message || 'the request failed (' + response.status + ')', error.field,
        error.details);
  }
  return { status: response.status, body };
}

/** As call, answering the body only. */
async function api(path, method = 'GET', bodyText = undefined, moreHeaders = {}) {
  return (await call(path, method, bodyText, moreHeaders)).body;
}

function byId(id) {
  return document.getElementById(id);
}

function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  return node;
}

/** Says what happened in the live region; failed ones in the error colour; '' clears it. */
function announce(message, failed = false) {
  const live = byId('live');
  live.classList.toggle('failed', failed);
  live.textContent = message;
}

/** What each of the API's error codes asks of the admin, in plain words. */
const ERROR_WORDS = {
  unauthorized: 'the token was not accepted',
  forbidden: 'this token is not an admin\'s',
  already_installed: 'it is installed already; update it instead',
  other_version_present: 'another version is in the plugins folder; install that one, then update',
  not_installed: 'it is not installed',
  operation_in_progress: 'another operation on this plugin is running; try again in a moment',
  unknown_plugin: 'no plugin repository lists it',
  unknown_version: 'the repository has no such release',
  incompatible_plugin_api: 'the release needs another version of this host',
  checksum_mismatch: 'the download does not match the SHA-512 the repository gives',
  repository_unreachable: 'the plugin repository could not be read',
  invalid_plugin_package: 'the release\'s zip is unsafe to unpack',
  install_failed: 'the release could not be loaded; nothing changed',
  update_failed: 'the new version did not start; the version before runs again',
  config_refused: 'the new version refuses the saved configuration; nothing changed',
  plugin_enabled: 'disable the plugin first',
  plugin_running: 'a node still runs the plugin; try again in a few seconds',
  purge_blocked: 'objects of others depend on its data; nothing was deleted',
  confirm_required: 'the purge was not confirmed with the plugin id',
  not_a_package: 'it was handed to the host in-process and cannot be uninstalled',
  not_configurable: 'this plugin has no configuration',
  invalid_config: 'a value was refused; nothing was saved',
  database_unavailable: 'the database does not answer; try again shortly',
};

/** A failed call in words: what was tried, what it means, and the API's own code and message. */
function failure(what, error) {
  if (!(error instanceof ApiError)) {
    return what + ' failed: ' + String(error.message || error);
  }
  const words = ERROR_WORDS[error.code];
  return what + ' refused' + (words ? ': ' + words : '') + ' (' + error.status + ' '
      + error.code + ': ' + error.message + ')';
}

// ---- sign-in ------------------------------------------------------------------------------

let signOut = () => {};

function setUpSignIn(onSignedIn) {
  const show = (signedIn) => {
    byId('signin-form').hidden = signedIn;
    byId('signin-help').hidden = signedIn;
    byId('session').hidden = !signedIn;
    byId('content').hidden = !signedIn;
  };
  byId('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId('token');
    const value = input.value.trim();
    input.value = '';
    if (value) {
      sessionStorage.setItem(TOKEN_KEY, value);
      show(true);
      onSignedIn();
    }
  });
  signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    selected = null;
    byId('plugin').hidden = true;
    byId('admin-view').hidden = true;
    byId('admins-only').hidden = true;
    show(false);
    byId('token').focus();
  };
  byId('signout').addEventListener('click', () => {
    signOut();
    announce('Signed out: the token is forgotten in this tab.');
  });
  show(token() !== null);
  if (token() !== null) {
    onSignedIn();
  }
}

/** A 401 signs out, a 403 shows the admins-only note. Answers whether the error was either. */
function refusedSignIn(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut();
    announce('The token was refused: sign in again with the admin token.', true);
    return true;
  }
  if (error instanceof ApiError && error.status === 403) {
    byId('admin-view').hidden = true;
    byId('admins-only').hidden = false;
    announce(failure('Reading the catalog', error), true);
    return true;
  }
  return false;
}

// ---- the catalog --------------------------------------------------------------------------

async function loadCatalog() {
  const listing = await api(PLUGINS + '/catalog?q=' + encodeURIComponent(query));
  byId('admins-only').hidden = true;
  byId('admin-view').hidden = false;
  const unreachable = byId('unreachable');
  unreachable.hidden = listing.unreachable_repositories.length === 0;
  unreachable.textContent = 'Some plugin repositories could not be read, so their plugins are '
      + 'not listed: ' + listing.unreachable_repositories.join(', ') + '.';
  drawCatalog(listing.plugins);
  return listing.plugins;
}

function stateText(state) {
  return { not_installed: 'not installed', started: 'started', disabled: 'disabled',
    failed: 'failed' }[state] || state;
}

function stateCell(state) {
  return el('span', { class: 'state state-' + state, text: stateText(state) });
}

function drawCatalog(plugins) {
  const holder = clear(byId('catalog'));
  if (plugins.length === 0) {
    holder.append(el('p', { id: 'catalog-empty', class: 'empty',
      text: query ? 'No plugin matches "' + query + '".'
        : 'The catalog is empty: no plugin repository lists a plugin, and none is loaded.' }));
    return;
  }
  const columns = ['Plugin', 'Description', 'Latest release', 'Installed', 'State', 'Action'];
  holder.append(el('table', { id: 'catalog-table' },
      el('caption', { text: query ? 'Plugins matching "' + query + '"' : 'Every plugin' }),
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, plugins.map((p) => el('tr', { id: 'catalog-' + p.id },
          el('th', { scope: 'row' }, p.name || p.id, el('br'), el('code', { text: p.id })),
          el('td', {}, p.description || '',
              p.tags.length
                ? el('div', { class: 'tags', text: 'Tags: ' + p.tags.join(', ') }) : null),
          el('td', { text: p.latest_version || 'none for this host' }),
          el('td', { text: p.installed_version || '—' }),
          el('td', {}, stateCell(p.state),
              p.update_available ? el('div', { class: 'note', text: 'update available' }) : null),
          el('td', {}, el('button', {
            id: 'open-' + p.id, type: 'button', class: 'secondary', 'aria-controls': 'plugin',
            'aria-label': 'Manage ' + (p.name || p.id), text: 'Manage',
          })))))));
  for (const p of plugins) {
    byId('open-' + p.id).addEventListener('click', () => select(p.id, true));
  }
}

/** Shows one plugin; with focus, moves the focus to its heading. */
async function select(id, focus) {
  selected = id;
  try {
    await drawPlugin(focus);
  } catch (error) {
    if (!refusedSignIn(error)) {
      announce(failure('Reading plugin ' + id, error), true);
    }
  }
}

/** The plugin's catalog entry: the whole catalog, as a search may not match it by its id. */
async function entryOf(id) {
  const all = await api(PLUGINS + '/catalog');
  return all.plugins.find((p) => p.id === id) || null;
}

async function drawPlugin(focus) {
  const id = selected;
  const entry = await entryOf(id);
  const section = byId('plugin');
  if (!entry) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  byId('plugin-heading').textContent = (entry.name || id) + ' (' + id + ')';
  drawFacts(entry);
  drawActions(entry);
  await Promise.all([drawConfig(entry), drawHistory(id)]);
  if (focus) {
    byId('plugin-heading').focus();
  }
}

function drawFacts(p) {
  const facts = [
    ['State', stateCell(p.state)],
    ['Installed version', p.installed_version || 'not installed'],
    ['Latest release for this host', p.latest_version || 'none'],
    ['Provider', p.provider || '—'],
    ['License', p.license || '—'],
  ];
  if (p.lag) {
    facts.push(['Behind the event journal', p.lag.events + ' events (' + p.lag.seconds + ' s)'
        + (p.lag.consumer ? ', consumed by ' + p.lag.consumer : '')]);
  }
  clear(byId('plugin-facts')).append(...facts.flatMap(([term, value]) => [
    el('dt', { text: term }),
    el('dd', { id: 'fact-' + term.toLowerCase().replace(/\W+/g, '-') }, value),
  ]));
}

// ---- actions ------------------------------------------------------------------------------

function drawActions(p) {
  const holder = clear(byId('plugin-actions'));
  const button = (id, text, handler, kind = null) => {
    const b = el('button', { id, type: 'button', class: kind, text });
    b.addEventListener('click', () => handler(b));
    holder.append(b);
  };
  if (!p.installed) {
    // a package this host has loaded (put in the plugins folder by hand) is the one installed
    const installable = p.version || p.latest_version;
    if (installable) {
      button('install', 'Install ' + installable, () => act('Install', 'install', '{}',
          (answer, status) => 'Installed ' + answer.id + ' ' + answer.version + (status === 201
            ? ': it is disabled; set its configuration below, then enable it.'
            : ' from the plugins folder: it is ' + stateText(answer.state) + '.')));
    } else {
      holder.append(el('p', { class: 'note',
        text: 'No release of this plugin accepts this host.' }));
    }
    return;
  }
  if (p.state !== 'started') {
    button('enable', 'Enable', () => act('Enable', 'enable', undefined,
        (answer) => 'Enabled ' + answer.id + ': it is ' + stateText(answer.state) + '.'));
  }
  if (p.state !== 'disabled') {
    button('disable', 'Disable', () => act('Disable', 'disable', undefined,
        (answer) => 'Disabled ' + answer.id + ': it gets no events and its routes answer 404 '
            + 'until it is enabled again; the events journaled meanwhile wait for it.'),
    'secondary');
  }
  if (p.update_available) {
    button('update', 'Update to ' + p.latest_version, () => act('Update', 'update', '{}',
        (answer) => 'Updated ' + answer.id + ' to ' + answer.version + ': it is '
            + stateText(answer.state) + '.'));
  }
  button('uninstall', 'Uninstall', async (opener) => {
    const sure = await confirmed(opener, {
      title: 'Uninstall ' + p.id + '?',
      text: 'It stops, and its package is deleted from every node. Its configuration, secrets '
          + 'and data are kept: installed again, it carries on where it stopped.',
      button: 'Uninstall',
    });
    if (sure) {
      await act('Uninstall', 'uninstall', '{}', (answer) => 'Uninstalled ' + answer.id
          + ': its configuration, secrets and data are kept for a later install.');
    }
  }, 'danger');
  button('purge', 'Uninstall and delete its data', async (opener) => {
    const sure = await confirmed(opener, {
      title: 'Delete every piece of data of ' + p.id + '?',
      text: 'Its tables, configuration, secrets, journal cursor, dead letters and jobs are '
          + 'deleted, then it is uninstalled. This cannot be undone. Disable it first.',
      button: 'Delete its data and uninstall',
      typed: p.id,
    });
    if (sure) {
      await act('Purge', 'uninstall', JSON.stringify({ purge: true, confirm: p.id }),
          (answer) => 'Uninstalled ' + answer.id + ' and deleted its data.');
    }
  }, 'danger');
}

/** Runs an action on the selected plugin, says its outcome, and draws the page again. */
async function act(what, path, bodyText, outcome) {
  const id = selected;
  for (const b of byId('plugin-actions').querySelectorAll('button')) {
    b.disabled = true;
  }
  announce(what + ' ' + id + '…');
  try {
    const response = await call(PLUGINS + '/' + encodeURIComponent(id) + '/' + path, 'POST',
        bodyText);
    announce(outcome(response.body, response.status));
  } catch (error) {
    if (refusedSignIn(error)) {
      return;
    }
    announce(failure(what + ' of ' + id, error), true);
  }
  await redraw();
}

/** The catalog and the selected plugin again, after a change; focus stays in the section. */
async function redraw() {
  try {
    await loadCatalog();
    await drawPlugin(false);
  } catch (error) {
    if (!refusedSignIn(error)) {
      announce(failure('Reading the catalog', error), true);
    }
  }
  if (!byId('plugin').contains(document.activeElement)) {
    byId('plugin-heading').focus();
  }
}

/**
 * Asks before a destructive action in a modal dialog; with typed, only once the plugin id is
 * typed. Answers true when confirmed; the focus goes back to the opener either way.
 */
function confirmed(opener, { title, text, button, typed = null }) {
  const dialog = byId('confirm');
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  const ok = byId('confirm-ok');
  ok.textContent = button;
  const input = byId('confirm-id');
  input.value = '';
  byId('confirm-typed').hidden = typed === null;
  ok.disabled = typed !== null;
  input.oninput = () => {
    ok.disabled = input.value.trim() !== typed;
  };
  return new Promise((resolve) => {
    const form = byId('confirm-form');
    const finish = (answer) => {
      form.onsubmit = null;
      byId('confirm-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) {
        dialog.close();
      }
      if (document.contains(opener)) {
        opener.focus();
      }
      resolve(answer);
    };
    form.onsubmit = (event) => {
      event.preventDefault();
      finish(typed === null || input.value.trim() === typed);
    };
    byId('confirm-cancel').onclick = () => finish(false);
    dialog.onclose = () => finish(false);
    dialog.showModal();
    (typed === null ? byId('confirm-cancel') : input).focus();
  });
}

// ---- configuration ------------------------------------------------------------------------

/** The form's fields by key name: the key, its control, and the text it was drawn with. */
let fields = new Map();

/** A key's value in a config object: dotted names are nested objects. */
function valueAt(config, name) {
  let node = config;
  for (const part of name.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) {
      return undefined;
    }
    node = node[part];
  }
  return node;
}

/** An id for a key's control: config-<name>, other characters than letters and digits as -. */
function fieldId(name) {
  return 'config-' + name.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** How a value is written into its control. */
function shownText(type, value) {
  if (value === undefined || value === null) {
    return '';
  }
  if (type === 'array' || type === 'object') {
    return JSON.stringify(value, null, 2);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

const SECRET_STATES = {
  set: ['Set', 'secret-set'],
  missing: ['Not set', 'secret-missing'],
  unreadable: ['Stored, but this host cannot decrypt it: set it again', 'secret-unreadable'],
};

/** What GET config shows for a secret key, as a state: never its value. */
function secretState(value) {
  if (value === null || value === undefined || value === '') {
    return 'missing';
  }
  return value === '****' ? 'set' : 'unreadable';
}

async function drawConfig(entry) {
  const form = byId('config-form');
  const none = byId('config-none');
  const schema = entry.config_schema || [];
  if (!entry.installed || schema.length === 0) {
    form.hidden = true;
    fields = new Map();
    none.hidden = false;
    none.textContent = entry.installed
      ? 'This plugin has no configuration.'
      : 'Its configuration can be set once it is installed.';
    return;
  }
  const config = await api(PLUGINS + '/' + encodeURIComponent(entry.id) + '/config');
  none.hidden = true;
  form.hidden = false;
  fillConfig(schema, config);
}

/**
 * The keys whose members the schema lists as keys of their own (computeRates, then
 * computeRates.cpu_per_core_hour, ...): such an object is shown once, as the group of its
 * members' fields, not also as a JSON field of its own (the same values twice, two ways).
 */
function groupKeys(schema) {
  return new Set(schema.filter((key) => !key.secret
      && schema.some((other) => other.name.startsWith(key.name + '.'))).map((key) => key.name));
}

/** Where a key's field goes: the group of the object it is a member of, else the form. */
function placeOf(name, groups, holder) {
  let best = null;
  for (const [groupName, fieldset] of groups) {
    if (name.startsWith(groupName + '.') && (best === null || groupName.length > best[0].length)) {
      best = [groupName, fieldset];
    }
  }
  return best === null ? holder : best[1];
}

/** A help text: the description, ending with a full stop. */
function sentence(description) {
  return description && !/[.!?]$/.test(description) ? description + '.' : description || '';
}

function fillConfig(schema, config) {
  const holder = clear(byId('config-fields'));
  fields = new Map();
  const grouped = groupKeys(schema);
  const groups = new Map();
  for (const key of schema) {
    const id = fieldId(key.name);
    if (grouped.has(key.name)) {
      const fieldset = el('fieldset', { class: 'group', id: id + '-group',
        'aria-describedby': id + '-help' },
        el('legend', {}, key.name, ' ', el('span', { class: 'type', text: '(' + key.type + ')' })),
        el('p', { id: id + '-help', class: 'note' }, sentence(key.description),
            ' Each of its members below.'));
      placeOf(key.name, groups, holder).append(fieldset);
      groups.set(key.name, fieldset);
      continue;
    }
    const value = valueAt(config, key.name);
    const description = key.description || '';
    const help = el('p', { id: id + '-help', class: 'note' }, sentence(description),
        key.secret ? null : ' Default: ' + (key.default === null || key.default === undefined
          ? 'none' : JSON.stringify(key.default)) + '.');
    const error = el('p', { id: id + '-error', class: 'field-error' });
    const describedBy = id + '-help ' + id + '-error';
    const label = el('label', { for: id }, key.name, ' ', el('span', { class: 'type',
      text: key.secret ? '(secret, write-only)' : '(' + key.type + ')' }));
    let control;
    let initial;
    let state = null;
    let remove = null;
    if (key.secret) {
      const s = secretState(value);
      const [words, css] = SECRET_STATES[s];
      state = el('span', { id: id + '-state', class: 'secret-state ' + css, text: words });
      initial = '';
      control = el('input', { id, type: 'password', autocomplete: 'new-password',
        placeholder: 'empty: keep it as it is', 'aria-describedby': id + '-state ' + describedBy });
      if (s !== 'missing') {
        remove = el('input', { id: id + '-remove', type: 'checkbox' });
      }
    } else if (key.type === 'boolean') {
      initial = value === true ? 'true' : 'false';
      control = el('input', { id, type: 'checkbox', 'aria-describedby': describedBy });
      control.checked = value === true;
    } else if (key.type === 'array' || key.type === 'object') {
      initial = shownText(key.type, value);
      control = el('textarea', { id, rows: Math.min(14, initial.split('\n').length + 1),
        spellcheck: 'false', 'aria-describedby': describedBy });
      control.value = initial;
    } else if (Array.isArray(key.values) && key.values.length > 0) {
      // one of a few words (billingMode: usage, subscription or hybrid): a choice among them
      initial = shownText(key.type, value);
      const options = initial === '' || key.values.includes(initial) ? key.values
        : [initial, ...key.values];
      control = el('select', { id, 'aria-describedby': describedBy },
          initial === '' ? el('option', { value: '', text: '(default)' }) : null,
          options.map((word) => el('option', { value: word, text: word })));
      control.value = initial;
    } else {
      initial = shownText(key.type, value);
      const numeric = key.type === 'integer' || key.type === 'number';
      control = el('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false',
        inputmode: numeric ? (key.type === 'integer' ? 'numeric' : 'decimal') : null,
        'aria-describedby': describedBy });
      control.value = initial;
    }
    fields.set(key.name, { key, control, initial, error, remove });
    placeOf(key.name, groups, holder).append(el('div', { class: 'field', id: id + '-field' },
        label,
        state ? el('div', {}, 'Now: ', state) : null, control,
        remove ? el('label', { class: 'remove', for: remove.id }, remove,
            ' Remove the stored value (an environment variable, if set, still wins)') : null,
        help, error));
  }
}

/** Marks a field refused with its message; answers its control. */
function refuse(field, message) {
  field.error.textContent = message;
  field.control.setAttribute('aria-invalid', 'true');
  return field.control;
}

function clearRefusals() {
  for (const field of [...fields.values(), reasonField()]) {
    field.error.textContent = '';
    field.control.removeAttribute('aria-invalid');
  }
}

/** The reason given for a change: not a config key, sent in the X-Audit-Log-Reason header. */
function reasonField() {
  return { control: byId('config-reason'), error: byId('config-reason-error') };
}

/** The field a refusal names: the key itself, or the key a nested name lies under. */
function fieldNamed(name) {
  if (!name) {
    return null;
  }
  if (fields.has(name)) {
    return fields.get(name);
  }
  let best = null;
  for (const [keyName, field] of fields) {
    if ((name.startsWith(keyName + '.') || name.startsWith(keyName + '['))
        && (best === null || keyName.length > best.key.name.length)) {
      best = field;
    }
  }
  return best;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * The changed keys as JSON texts, by name. A field whose text cannot be sent (not a number, not
 * JSON) is marked refused here, and nothing is sent.
 */
function changes() {
  const changed = new Map();
  const refused = [];
  for (const [name, field] of fields) {
    const { key, control, initial, remove } = field;
    if (key.secret) {
      if (control.value !== '') {
        changed.set(name, JSON.stringify(control.value));
      } else if (remove && remove.checked) {
        changed.set(name, '""'); // the API's word for "remove the stored one"
      }
      continue;
    }
    if (key.type === 'boolean') {
      const now = control.checked ? 'true' : 'false';
      if (now !== initial) {
        changed.set(name, now);
      }
      continue;
    }
    const text = control.value.trim();
    if (text === initial.trim()) {
      continue;
    }
    if (text === '') {
      changed.set(name, 'null'); // empty: back to the default
    } else if (key.type === 'integer' || key.type === 'number') {
      if (JSON_NUMBER.test(text)) {
        changed.set(name, text);
      } else {
        refused.push(refuse(field, 'Must be a number, like 12 or 0.05.'));
      }
    } else if (key.type === 'array' || key.type === 'object') {
      try {
        JSON.parse(text);
        changed.set(name, text);
      } catch (e) {
        refused.push(refuse(field, 'Is not valid JSON: ' + e.message));
      }
    } else {
      changed.set(name, JSON.stringify(control.value));
    }
  }
  return { changed, refused };
}

/** A JSON merge patch of the changes, dotted names nested, each value's text as it is. */
function mergePatch(changed) {
  const root = new Map();
  for (const [name, text] of changed) {
    const parts = name.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!(node.get(part) instanceof Map)) {
        node.set(part, new Map());
      }
      node = node.get(part);
    }
    node.set(parts[parts.length - 1], text);
  }
  const write = (node) => '{' + [...node].map(([k, v]) => JSON.stringify(k) + ':'
      + (v instanceof Map ? write(v) : v)).join(',') + '}';
  return write(root);
}

async function saveConfig(event) {
  event.preventDefault();
  const id = selected;
  clearRefusals();
  const { changed, refused } = changes();
  if (refused.length > 0) {
    announce('Nothing was saved: a value cannot be sent as it is, see the field marked.', true);
    refused[0].focus();
    return;
  }
  if (changed.size === 0) {
    announce('Nothing to save: no value was changed.');
    return;
  }
  const save = byId('config-save');
  save.disabled = true;
  try {
    const reason = byId('config-reason').value.trim();
    const saved = await api(PLUGINS + '/' + encodeURIComponent(id) + '/config', 'PATCH',
        mergePatch(changed), reason ? { 'X-Audit-Log-Reason': encodeURIComponent(reason) } : {});
    byId('config-reason').value = '';
    const entry = await entryOf(id);
    fillConfig(entry ? entry.config_schema : [...fields.values()].map((f) => f.key),
        saved);
    announce('Saved the configuration of ' + id + ': ' + [...changed.keys()].join(', ')
        + '. It reaches every node within 2 seconds.');
    await drawHistory(id);
  } catch (error) {
    if (!refusedSignIn(error)) {
      showRefusal(error);
    }
  } finally {
    save.disabled = false;
  }
}

/** A refused config: each problem next to its field, the first field focused. */
function showRefusal(error) {
  announce(failure('Saving the configuration', error), true);
  if (!(error instanceof ApiError) || error.code !== 'invalid_config') {
    return;
  }
  const problems = error.details.length > 0 ? error.details
    : [{ field: error.field, message: error.message }];
  let first = null;
  for (const problem of problems) {
    const field = problem.field === 'reason' ? reasonField() : fieldNamed(problem.field);
    if (field) {
      const named = field.key ? field.key.name : 'reason';
      const control = refuse(field, (field.error.textContent ? field.error.textContent + ' ' : '')
          + (problem.field !== named ? problem.field + ': ' : '') + problem.message);
      first = first || control;
    }
  }
  if (first) {
    first.focus();
  }
}

// ---- history ------------------------------------------------------------------------------

function instant(iso) {
  return iso ? iso.replace('T', ' ').replace(/(:\d\d)(\.\d+)?Z$/, '$1 UTC') : '—';
}

async function drawHistory(id) {
  const answer = await api(PLUGINS + '/' + encodeURIComponent(id) + '/history');
  const operations = answer.operations;
  const holder = clear(byId('history'));
  holder.append(el('h3', { text: 'History' }));
  if (operations.length === 0) {
    holder.append(el('p', { id: 'history-empty', class: 'empty',
      text: 'Nothing was done to this plugin yet.' }));
    return;
  }
  const columns = ['When', 'Operation', 'From', 'To', 'By', 'Outcome', 'Detail'];
  holder.append(el('table', { id: 'history-table' },
      el('caption', { text: 'Operations on ' + id + ', newest first' }),
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c })))),
      el('tbody', {}, operations.map((o) => el('tr', {},
          el('th', { scope: 'row', text: instant(o.at) }),
          el('td', { text: o.operation }),
          el('td', { text: o.from_version || '—' }),
          el('td', { text: o.to_version || '—' }),
          el('td', { text: o.actor || '—' }),
          el('td', { class: 'outcome-' + o.outcome, text: o.outcome.replace('_', ' ') }),
          el('td', { text: o.detail || '' }))))));
}

// ---- start --------------------------------------------------------------------------------

async function signedIn() {
  try {
    await loadCatalog();
    if (selected) {
      await drawPlugin(false);
    }
  } catch (error) {
    if (!refusedSignIn(error)) {
      announce(failure('Reading the catalog', error), true);
    }
  }
}

takeTokenFromAddress();
byId('search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  query = byId('search').value.trim();
  try {
    const plugins = await loadCatalog();
    announce(plugins.length + (plugins.length === 1 ? ' plugin' : ' plugins')
        + (query ? ' match "' + query + '".' : ' in the catalog.'));
  } catch (error) {
    if (!refusedSignIn(error)) {
      announce(failure('Searching the catalog', error), true);
    }
  }
});
byId('config-form').addEventListener('submit', saveConfig);
setUpSignIn(signedIn);
