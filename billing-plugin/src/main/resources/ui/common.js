// What both billing pages share: the sign-in, the one way to call the API, money and dates,
// and DOM builders. Data is only ever put in the page as text (textContent), never as markup:
// every element is built by el, the DOM builder the host's plugins page shares (dom.js).

import { el } from './dom.js';

export { el };

const TOKEN_KEY = 'billing.token';

/** The billing plugin's JSON routes, a same-origin path. */
export const BILLING = '/api/plugins/billing';

/**
 * An answer of the API that is not a 2xx: its status, the error's code, message and field, and
 * the whole body (a refused bundle's violations are beside its error).
 */
export class ApiError extends Error {
  constructor(status, code, message, field, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
  }
}

/** The bearer token of this tab: kept in sessionStorage only (the tab, never a URL). */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** A sign-in link's fragment: #token=<the token, URL-encoded>. */
const TOKEN_FRAGMENT = /^#token=(.*)$/;

/**
 * A sign-in link (a page's address ending in #token=<token>, as the demo prints them): moves
 * the token into this tab's sessionStorage and removes it from the address bar at once, so it
 * is kept neither in the address bar nor in the history. A fragment never reaches a server, so
 * the token was not sent with the page's request either. Answers whether there was one.
 */
function takeTokenFromLink() {
  const link = TOKEN_FRAGMENT.exec(location.hash);
  if (link === null) {
    return false;
  }
  history.replaceState(null, '', location.pathname + location.search);
  let value;
  try {
    value = decodeURIComponent(link[1]).trim();
  } catch (malformed) {
    value = '';
  }
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  }
  return value !== '';
}

/**
 * The fragment of the address as a page's own address within it (#jobs, #audit/acme); never a
 * sign-in link's token: that fragment reads as none (and takeTokenFromLink removes it first).
 */
export function pageAddress() {
  return TOKEN_FRAGMENT.test(location.hash) ? '' : location.hash;
}

/**
 * Wires the sign-in form, the sign-in links and the sign-out button. onSignedIn runs when a
 * token is present (at load, from a sign-in link, or once entered); signing out forgets the
 * token and shows the form again.
 */
export function setUpSignIn(onSignedIn) {
  const form = byId('signin-form');
  const help = byId('signin-help');
  const session = byId('session');
  const content = byId('content');
  const show = (signedIn) => {
    form.hidden = signedIn;
    help.hidden = signedIn;
    session.hidden = !signedIn;
    content.hidden = !signedIn;
  };
  takeTokenFromLink();
  // a sign-in link opened in a tab already showing the page changes only the fragment
  window.addEventListener('hashchange', () => {
    if (takeTokenFromLink()) {
      show(true);
      onSignedIn();
    }
  });
  form.addEventListener('submit', (event) => {
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
  const signOut = () => {
    sessionStorage.removeItem(TOKEN_KEY);
    // the pages have both; the sidebar widget (widget.html) neither
    for (const id of ['banners', 'signed-in-as']) {
      if (byId(id) !== null) {
        clear(byId(id));
      }
    }
    show(false);
    byId('token').focus();
  };
  byId('signout').addEventListener('click', signOut);
  show(token() !== null);
  if (token() !== null) {
    onSignedIn();
  }
  return signOut;
}

/**
 * Calls a JSON route of this origin with the tab's token. Only a same-origin path under /api/
 * is accepted: the token is never sent anywhere else. Answers the parsed body (null when empty);
 * throws an ApiError for any other status. options: method, body, idempotencyKey (sent as the
 * Idempotency-Key header, so a repeated POST has one effect); file and fileType to send a file
 * as it is (a theme bundle as application/zip) instead of a JSON body.
 */
export async function api(path, options = {}) {
  const response = await send(path, options, 'application/json');
  if (!response.ok) {
    throw await errorOf(response);
  }
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Reads a route's server-sent events (text/event-stream) with the tab's token, as api calls a
 * JSON route: an EventSource cannot send the token, so the events are read from fetch's stream,
 * one "data:" line each. Hands each event's data, parsed, to onEvent. Resolves when the stream
 * ends (the server ends one after a while: read it again then) or once signal aborts it; throws
 * an ApiError for an answer that is not a 2xx, or for an "event: error" (its data the error).
 */
export async function apiEvents(path, onEvent, signal) {
  let response;
  try {
    response = await send(path, { signal }, 'text/event-stream');
  } catch (failure) {
    if (signal.aborted) {
      return;
    }
    throw failure;
  }
  if (!response.ok) {
    throw await errorOf(response);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let pending = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      pending += value;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const lines = pending.slice(0, end).split('\n');
        pending = pending.slice(end + 2);
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (lines.includes('event: error')) {
          const error = JSON.parse(data).error || {};
          throw new ApiError(0, error.code, error.message, error.field);
        }
        if (data) {
          onEvent(JSON.parse(data));
        }
      }
    }
  } catch (failure) {
    if (signal.aborted) {
      return;
    }
    throw failure;
  } finally {
    reader.releaseLock();
  }
}

/** The ApiError of an answer that is not a 2xx, from its error body. */
async function errorOf(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (notJson) {
    body = null;
  }
  const error = (body && body.error) || {};
  return new ApiError(response.status, error.code || 'http_' + response.status,
      error.message || 'the request failed (' + response.status + ')', error.field, body);
}

/** As api, for a binary answer (a PDF): the Blob. */
export async function apiBlob(path) {
  const response = await send(path, {}, '*/*');
  if (!response.ok) {
    throw new ApiError(response.status, 'http_' + response.status,
        'the download failed (' + response.status + ')');
  }
  return response.blob();
}

/**
 * Downloads a file (a PDF, a CSV) with the bearer header, then hands the browser a blob URL
 * under fileName: the token never goes into a URL.
 */
export async function download(path, fileName) {
  const url = URL.createObjectURL(await apiBlob(path));
  const link = el('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function send(path, options, accept) {
  if (typeof path !== 'string' || !path.startsWith('/api/') || path.includes('//')
      || path.includes('\\')) {
    throw new Error('refused: only same-origin /api/ paths are called');
  }
  const headers = { Accept: accept };
  if (token() !== null) {
    headers.Authorization = 'Bearer ' + token();
  }
  if (options.idempotencyKey) {
    headers['Idempotency-Key'] = options.idempotencyKey;
  }
  const init = {
    method: options.method || 'GET',
    headers,
    credentials: 'omit',
    redirect: 'error',
    referrerPolicy: 'no-referrer',
    signal: options.signal,
  };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  } else if (options.file !== undefined) {
    headers['Content-Type'] = options.fileType;
    init.body = options.file;
  }
  return fetch(path, init);
}

/** A fresh Idempotency-Key: one per submission, so a repeat of it has one effect. */
export function newKey() {
  if (typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  return [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A store item's preview image (from path, a preview route) in holder: fetched with the token
 * (an <img> cannot send it) and shown from a data: URL, which the pages' policy allows for
 * images; a bundle without one, or a failure, is said in a sentence instead.
 */
export async function showItemPreview(holder, path, name) {
  let image;
  try {
    image = await dataUrl(await apiBlob(path));
  } catch (error) {
    const none = error instanceof ApiError && error.status === 404;
    clear(holder).append(el('p', { class: 'note',
      text: none ? 'This theme has no preview image.' : 'The preview could not be read.' }));
    return;
  }
  clear(holder).append(el('img', { src: image, alt: 'Preview of the theme ' + name }));
}

function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(reader.result));
    reader.addEventListener('error', () => reject(reader.error));
    reader.readAsDataURL(blob);
  });
}

/** What a store item's sale model means to a buyer. */
export function saleText(item) {
  if (item.sale_kind === 'time_limited') {
    return 'Access for ' + item.sale_days + ' day' + (item.sale_days === 1 ? '' : 's');
  }
  return item.sale_kind === 'free' ? 'Free' : 'One-time purchase';
}

/** A store item's price in each currency it has (USD with cents, VND without), or Free. */
export function priceText(item) {
  const currencies = Object.keys(item.price || {}).sort();
  return currencies.length === 0 ? 'Free'
      : currencies.map((currency) => money(item.price[currency], currency)).join(' or ');
}

const PAYOUT_STATUS_TEXT = { pending: 'Pending', failed: 'Failed', paid: 'Paid' };

/** A creator payout's status in words (a colour only adds to them). */
export function payoutStatus(payout) {
  return el('span', { id: 'payout-status-' + payout.id, class: 'payout-' + payout.status,
    text: PAYOUT_STATUS_TEXT[payout.status] || payout.status });
}

/**
 * The role of each kind of message: an error interrupts (alert), a success, a note (info) or a
 * warning waits until the screen reader is done (status). Each is also styled by its kind
 * (message-success, message-info, message-warning, message-error): the words say it first.
 */
const MESSAGE_REGIONS = {
  success: 'live-status', info: 'live-status', warning: 'live-status', error: 'live-alert',
};

/**
 * Says a message in the live region, the one way every page says what an action did or why it
 * failed: kind success, info, warning or error picks its style and its region (role status or
 * alert, both in the page from its start, so a screen reader follows them). The message before
 * it goes, whatever its kind.
 */
export function say(kind, message) {
  const regionId = MESSAGE_REGIONS[kind];
  if (regionId === undefined) {
    throw new Error('unknown kind of message: ' + kind);
  }
  clearMessage();
  const region = byId(regionId);
  region.className = 'message message-' + kind;
  region.textContent = message;
}

/** Empties the live region. */
export function clearMessage() {
  for (const id of new Set(Object.values(MESSAGE_REGIONS))) {
    byId(id).className = 'message';
    byId(id).textContent = '';
  }
}

/**
 * A token the API refused (401): signs out (signOut, from setUpSignIn) and says so. Answers
 * whether the error was that.
 */
export function signedOutIfRefused(error, signOut) {
  if (error instanceof ApiError && error.status === 401) {
    signOut();
    say('error', 'The token was refused: sign in again with a valid token.');
    return true;
  }
  return false;
}

/** Why a call failed, in words: the API's message, and the field it names. */
export function errorText(error) {
  const field = error instanceof ApiError && error.field ? ' (field ' + error.field + ')' : '';
  return (error instanceof ApiError ? error.message : String(error)) + field;
}

/** Says a failed call in words, as an error. */
export function announceError(what, error) {
  say('error', what + ': ' + errorText(error));
}

/**
 * An amount in its currency's own way: $4.99 with cents, ₫3,518 without (Intl knows the digits).
 * Always as en-US writes it, whatever the browser's language: the API's sentences write amounts
 * the same way (money.MoneyText in the plugin, its Java twin), so a refusal's "$4.99" and the
 * table's beside it read alike. The two change together.
 */
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === '') {
    return '—';
  }
  return new Intl.NumberFormat('en-US', { style: 'currency', currency })
      .format(Number(amount));
}

/**
 * The name of the row that adds up lines' savings (a /usage answer's or an invoice's): what
 * they come from, idle prices (idle or disconnected lines), hibernation, or both, as the
 * invoice PDF names it (invoicing.InvoicePdf).
 */
export function savedBy(lines) {
  const hibernated = lines.some((l) => l.activity === 'hibernated');
  const idle = lines.some((l) => l.activity && l.activity !== 'hibernated');
  return 'Saved by ' + (idle && hibernated ? 'idle pricing and hibernation'
    : hibernated ? 'hibernation' : 'idle pricing');
}

/**
 * Amounts of one currency (as the API gives them, at its scale) added up exactly, in the
 * currency's minor units (cents; a whole dong), not in floating point: the sum as the API
 * would write it, 1.40 + 0.11 → "1.51".
 */
export function addAmounts(amounts, currency) {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency })
      .resolvedOptions().maximumFractionDigits;
  const unit = 10 ** digits;
  const minor = amounts.reduce((sum, amount) => sum + Math.round(Number(amount) * unit), 0);
  return (minor / unit).toFixed(digits);
}

/** An instant as the API gives it, readable: 2026-03-01 00:00 UTC. */
export function instant(iso) {
  if (!iso) {
    return '—';
  }
  return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
}

/** A date of an instant, as the API gives it: 2026-03-01. */
export function day(iso) {
  return iso ? iso.slice(0, 10) : '—';
}

/** A quantity without trailing zeros: 2.50 → 2.5. */
export function quantity(value) {
  return value === null || value === undefined ? '—' : String(Number(value));
}

/** The plural of the API's singular units; units not listed (GB) are the same in both. */
const PLURAL_UNITS = {
  core: 'cores', session: 'sessions', minute: 'minutes', query: 'queries', seat: 'seats',
};

/** A quantity with its unit, plural unless it is exactly one: 1 session, 2 sessions, 0.5 GB. */
export function withUnit(value, unit) {
  const plural = Number(value) !== 1 && PLURAL_UNITS[unit];
  return quantity(value) + ' ' + (plural || unit);
}

const METER_NAMES = {
  cpu_cores: 'CPU cores',
  memory_gb: 'Memory',
  active_sessions: 'Active sessions',
  storage_gb: 'Storage',
  bandwidth_gb: 'Bandwidth',
  transcoding_minutes: 'Transcoding',
  ai_queries: 'AI queries',
  members: 'Members',
};

/**
 * A quota meter's name for people: cpu_cores → CPU cores; a custom meter by the name its config
 * gives (when the answer carries it), else its id.
 */
export const meterName = (meter, name) => METER_NAMES[meter] || name || meter;

/** What a quota state says to people; ok says nothing. */
export const QUOTA_STATE_TEXT = {
  ok: '', warning: 'approaching the limit', exceeded: 'limit reached',
  confirmation_required: 'overage needs confirmation',
};

/**
 * What a limited meter's state says on the user page: exactly at its limit it is "at limit",
 * not over it, though the API's state is exceeded at or over the limit (the next unit is the
 * one refused or billed); over it, "over the limit"; the other states as QUOTA_STATE_TEXT.
 */
export function meterStateText(meter) {
  if (meter.state === 'exceeded' && meter.limit !== null) {
    return atLimit(meter) ? 'at limit' : 'over the limit';
  }
  return QUOTA_STATE_TEXT[meter.state] ?? meter.state;
}

/** The class of a limited meter's state text: at its limit is not over it (meterStateText). */
export function meterStateClass(meter) {
  return meter.state === 'exceeded' && atLimit(meter) ? 'state-at-limit' : 'state-' + meter.state;
}

/** Whether a limited meter's use is exactly its limit. */
export const atLimit = (meter) =>
  meter.limit !== null && Number(meter.used) === Number(meter.limit);

/**
 * What a pack adds to one meter, in its unit ({meter, name, unit, amount} of /packs' added):
 * "10 GB storage", "5 active sessions" (a name that says its unit already), "2 CPU cores",
 * "60 minutes of transcoding", "5 seats".
 */
export function addsText(added) {
  const name = meterName(added.meter, added.name);
  const unit = added.unit || '';
  const stem = unit.toLowerCase().replace(/y$/, '');
  if (added.meter === 'members') {
    return withUnit(added.amount, unit); // 5 seats
  }
  if (!stem || name.toLowerCase().includes(stem)) {
    return quantity(added.amount) + ' ' + lowerFirst(name);
  }
  if (unit === unit.toUpperCase()) {
    return quantity(added.amount) + ' ' + unit + ' ' + lowerFirst(name); // a measure: GB
  }
  return withUnit(added.amount, unit) + ' of ' + lowerFirst(name);
}

/** A name in a sentence: its first letter small, unless it starts an acronym (CPU, AI). */
function lowerFirst(name) {
  return /^[A-Z][a-z]/.test(name) ? name[0].toLowerCase() + name.slice(1) : name;
}

export function byId(id) {
  return document.getElementById(id);
}

export function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  return node;
}

/**
 * A table: a caption, column headers ({text, num}) and rows of cells (text or nodes; a cell
 * {text, num} is right-aligned). The first cell of each row is its header. No rows: the empty
 * text in a paragraph instead.
 */
export function table(id, caption, columns, rows, empty) {
  if (rows.length === 0) {
    return el('p', { id, class: 'empty', text: empty });
  }
  const head = el('tr', {}, columns.map((c) =>
      el('th', { scope: 'col', class: c.num ? 'num' : null, text: c.text })));
  const body = rows.map((cells) => el('tr', {}, cells.map((cell, i) => {
    const tag = i === 0 ? 'th' : 'td';
    const scope = i === 0 ? 'row' : null;
    if (cell !== null && typeof cell === 'object' && !(cell instanceof Node)) {
      return el(tag, { scope, class: cell.num ? 'num' : null }, cell.text);
    }
    return el(tag, { scope }, cell);
  })));
  return el('table', { id }, el('caption', { text: caption }), el('thead', {}, head),
      el('tbody', {}, body));
}

/**
 * A labelled progress bar (role=progressbar): used against max, classed by state (warning,
 * exceeded). Its value is capped at max for the ARIA range; the text tells the whole use.
 */
export function progressBar(id, label, used, max, state, valueText) {
  const percent = max > 0 ? Math.min(100, (used / max) * 100) : (used > 0 ? 100 : 0);
  const fill = el('div', { class: 'progress-fill' });
  fill.style.width = percent + '%';
  const stateClass = state === 'warning' ? 'warning'
      : (state === 'exceeded' || state === 'confirmation_required') ? 'exceeded' : null;
  return el('div', {
    id,
    class: stateClass ? 'progress ' + stateClass : 'progress',
    role: 'progressbar',
    'aria-label': label,
    'aria-valuemin': 0,
    'aria-valuemax': max,
    'aria-valuenow': Math.min(used, max),
    'aria-valuetext': valueText,
  }, fill);
}

/** A banner (warning, danger or info): what happened, and what to do next. */
export function banner(id, kind, title, next) {
  return el('div', { id, class: 'banner banner-' + kind },
      el('strong', { text: title }), el('span', { text: next }));
}

/** Records shown a page at a time in a line's explanation. */
const EXPLAIN_PAGE = 50;

/**
 * An invoice's lines in holder, each a button: a click opens the line's explanation (GET
 * /invoices/{id}/lines/{n}/explain) below them. inOrg names the organization in a path (the
 * user page's; the admin page reads any invoice as it is).
 */
export async function showInvoiceLines(holder, invoiceId, inOrg) {
  const invoice = await api(BILLING + inOrg('/invoices/' + encodeURIComponent(invoiceId)));
  const explanation = el('div', { id: 'explanation-' + invoice.id, 'aria-live': 'polite' });
  const name = invoice.invoice_number || 'draft ' + invoice.id;
  clear(holder).append(
      table('invoice-lines-' + invoice.id,
          'Lines of invoice ' + name + ': choose one to see how it is computed',
          [{ text: 'Line' }, { text: 'Description' }, { text: 'Quantity', num: true },
            { text: 'Amount', num: true }],
          invoice.lines.map((line) => [
            String(line.line_no),
            lineButton(invoice, line, explanation, inOrg),
            { text: line.quantity === null ? '' : withUnit(line.quantity, line.unit), num: true },
            { text: money(line.amount, invoice.currency), num: true },
          ]).concat(invoice.total_saved == null ? [] : [['', savedBy(invoice.lines), '',
            { text: money(invoice.total_saved, invoice.currency), num: true }]]),
          'This invoice has no lines yet.'),
      creditNotes(invoice, inOrg),
      explanation);
}

/**
 * The invoice's credit notes, each with what it gave back, how, and its PDF; then what is left
 * due. Nothing for an invoice without any.
 */
function creditNotes(invoice, inOrg) {
  const notes = invoice.credit_notes || [];
  if (notes.length === 0) {
    return null;
  }
  const refunds = { balance: 'onto the prepaid balance', payment_method: 'to the card',
    none: 'recorded only' };
  return el('div', { id: 'credit-notes-' + invoice.id },
      table('credit-notes-table-' + invoice.id,
          'Credit notes of invoice ' + invoice.invoice_number,
          [{ text: 'Number' }, { text: 'Date' }, { text: 'Lines' }, { text: 'Reason' },
            { text: 'Total', num: true }, { text: 'Given back' }, { text: 'PDF' }],
          notes.map((note) => [
            note.credit_note_number,
            instant(note.created_at),
            note.lines.map((l) => l.line_no + ': ' + money(l.amount, invoice.currency))
                .join(', '),
            note.reason,
            { text: money(note.total, invoice.currency), num: true },
            Number(note.amount_due_lowered) > 0
                ? money(note.amount_due_lowered, invoice.currency) + ' off the amount due'
                : refunds[note.refund],
            creditNotePdfButton(invoice, note, inOrg),
          ]), ''),
      el('p', { id: 'credit-notes-due-' + invoice.id,
        text: 'Credited ' + money(invoice.credited, invoice.currency) + ' in all; amount due '
            + money(invoice.amount_due, invoice.currency) + '.' }));
}

function creditNotePdfButton(invoice, note, inOrg) {
  const button = el('button', {
    id: 'credit-note-pdf-' + note.id, type: 'button', class: 'secondary', text: 'Download',
    'aria-label': 'Download credit note ' + note.credit_note_number + ' as PDF',
  });
  button.addEventListener('click', async () => {
    try {
      await download(BILLING + inOrg('/invoices/' + invoice.id + '/credit-notes/' + note.id
          + '/pdf'), note.credit_note_number + '.pdf');
    } catch (error) {
      announceError('Downloading credit note ' + note.credit_note_number + ' failed', error);
    }
  });
  return button;
}

function lineButton(invoice, line, holder, inOrg) {
  const button = el('button', {
    id: 'explain-line-' + invoice.id + '-' + line.line_no, type: 'button', class: 'link',
    text: line.saved == null ? line.description
      : line.description + ', saved ' + money(line.saved, invoice.currency),
    'aria-label': 'Explain line ' + line.line_no + ': ' + line.description,
  });
  button.addEventListener('click', async () => {
    try {
      await showExplanation(holder, invoice, line, inOrg);
    } catch (error) {
      announceError('Explaining line ' + line.line_no + ' failed', error);
    }
  });
  return button;
}

/** A line's explanation: its rule, how it adds up, and its records, a page at a time. */
async function showExplanation(holder, invoice, line, inOrg) {
  const path = '/invoices/' + invoice.id + '/lines/' + line.line_no + '/explain';
  const first = await api(BILLING + inOrg(path + '?limit=' + EXPLAIN_PAGE));
  const currency = first.currency;
  const sums = first.sums;
  const rows = el('tbody');
  const more = el('button', { id: 'explain-more', type: 'button', class: 'secondary',
    text: 'More records' });
  let next = first.next_offset;
  const add = (page) => {
    for (const r of page.records) {
      rows.append(el('tr', {},
          el('th', { scope: 'row', text: String(r.n) }),
          el('td', { text: r.source.replace(/_/g, ' ')
              + (r.session_id ? ' of session ' + r.session_id : '')
              + (r.member_id ? ' of ' + r.member_id : '')
              + (r.detail ? ' (' + r.detail + ')' : '') }),
          el('td', { text: r.from ? instant(r.from) + ' – ' + instant(r.to) : '' }),
          el('td', { class: 'num',
            text: r.quantity === null ? '' : withUnit(r.quantity, r.unit || '') }),
          el('td', { class: 'num', text: money(r.amount, currency) }),
          el('td', { class: 'num', text: money(r.subtotal, currency) }),
          el('td', { text: r.events_retained === false ? 'no longer journaled'
              : r.events.map((e) => e.type + ' ' + e.id + ' at ' + instant(e.occurred_at))
                  .join('; ') })));
    }
    next = page.next_offset;
    more.hidden = next === null;
  };
  more.addEventListener('click', async () => {
    try {
      add(await api(BILLING + inOrg(path + '?limit=' + EXPLAIN_PAGE + '&offset=' + next)));
    } catch (error) {
      announceError('Reading more records failed', error);
    }
  });
  const head = el('tr', {}, ['#', 'Record', 'Period', 'Quantity', 'Amount', 'Subtotal',
    'Journaled events'].map((text, i) => el('th', { scope: 'col',
    class: i >= 3 && i <= 5 ? 'num' : null, text })));
  clear(holder).append(
      el('h3', { id: 'explanation-heading',
        text: 'Line ' + line.line_no + ': ' + line.description + ', '
            + money(line.amount, currency) }),
      el('p', { id: 'explanation-computation', text: first.computation }),
      el('p', { id: 'explanation-sums',
        text: first.record_count + ' record(s) add up to ' + money(sums.total, currency)
            + (sums.matches_line ? ', the line' : ', not the line as invoiced')
            + '; each rounded on its own they make ' + money(sums.sum_of_rounded_records, currency)
            + '. ' + sums.rounding_rule }),
      first.events_note ? el('p', { id: 'explanation-events-note', class: 'note',
        text: first.events_note }) : null,
      first.credited_back ? el('p', { id: 'explanation-credited-back',
        text: 'Credited back since: ' + first.credited_back.map((c) => c.credit_note_number
            + ' ' + money(c.amount, currency) + ' (' + c.reason + ')').join('; ') }) : null,
      el('table', { id: 'explanation-records' },
          el('caption', { text: 'The records behind line ' + line.line_no }),
          el('thead', {}, head), rows),
      more);
  add(first);
  say('info', 'Line ' + line.line_no + ' explained: ' + first.record_count + ' record(s).');
}
