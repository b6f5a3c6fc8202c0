// The admin page: the organizations, the sales leads, the admin forms, the coupons, the money
// (the business at a glance), a what-if, the plans' versions, usage corrections, the analytics,
// the store, the jobs and the audit trail, each a section with its own address (#jobs;
// #audit/<org id> opens an organization's audit trail), from the plugin's admin JSON routes
// only. A token without the admin role sees only that the page is for admins.
import {
  ApiError, BILLING, QUOTA_STATE_TEXT, announceError, api, byId, clear, clearMessage, day, el,
  instant, meterName, money, newKey, pageAddress, quantity, say, setUpSignIn, showInvoiceLines,
  signedOutIfRefused, table,
} from './common.js';
import { loadAnalytics } from './analytics.js';
import { setUpCorrections } from './corrections-admin.js';
import { loadStorePayouts, loadStoreQueue, loadStoreRevenue } from './store-admin.js';

const PAGE_SIZE = 25;
const COLORS = ['#0b57d0', '#b3261e', '#1a7f37', '#8a5300'];

/** The accounts table's columns: its header text and, for a sortable one, the sort key. */
const ACCOUNT_COLUMNS = [
  { text: 'Organization', sort: 'user_id' },
  { text: 'Name' },
  { text: 'Kind' },
  { text: 'Members', num: true },
  { text: 'Plan' },
  { text: 'Cost this period', sort: 'current_period_cost', num: true },
  { text: 'Outstanding', sort: 'outstanding_balance', num: true },
  { text: 'Credit balance', sort: 'credit_balance', num: true },
  { text: 'Quota' },
  { text: 'Status' },
  { text: 'Holds' },
  { text: 'Revenue (invoiced)', num: true },
];

const accounts = { sort: 'user_id', offset: 0, nextOffset: null, filter: {} };

/** The plans' names by id (GET /plans), so a plan is shown by its name, never its id. */
let planNames = new Map();

const planName = (id) => (id ? planNames.get(id) || id : '—');

/** Answers a route's body; a refused token signs out, any other failure is said. */
async function read(path, what) {
  try {
    return await api(BILLING + path);
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read ' + what, error);
    }
    return null;
  }
}

async function load() {
  clearMessage();
  byId('admins-only').hidden = true;
  byId('admin-view').hidden = true;
  let first;
  try {
    first = await api(BILLING + '/admin/users?limit=1');
  } catch (error) {
    if (signedOutIfRefused(error, signOut)) {
      return;
    }
    if (error instanceof ApiError && error.status === 403) {
      byId('signed-in-as').textContent = 'Signed in without the admin role';
      byId('admins-only').hidden = false;
    } else {
      announceError('Could not reach the billing plugin', error);
    }
    return;
  }
  if (first) {
    byId('signed-in-as').textContent = 'Signed in as an admin';
    byId('admin-view').hidden = false;
    await loadPlans();
    const target = addressed(pageAddress());
    if (target !== null && target.section === 'audit' && target.org !== null) {
      byId('audit-org').value = target.org;
    }
    // the addressed section at once, each read filling its own part as it comes: a slow one
    // (the dashboard, the analytics) holds up neither the focus nor the others
    if (target !== null) {
      showSection(target);
    }
    await Promise.all([loadAccounts(), loadLeads(), loadCoupons(), loadDashboard(),
      loadAnalytics(), loadJobs(), loadStoreQueue(), loadStoreRevenue(), loadStorePayouts(),
      loadAudit()]);
    const heading = target === null ? null : byId(target.section).querySelector('h2');
    if (heading !== null && document.activeElement === heading) {
      byId(target.section).scrollIntoView({ block: 'start' }); // the sections above it grew
    }
  }
}

// ---- the sections and their addresses ----

/** The page's sections, each an element of this id with an h2; the address #<id> opens it. */
const SECTIONS = ['organizations', 'leads', 'actions', 'coupons', 'money', 'what-if', 'plans',
  'corrections', 'analytics', 'store', 'jobs', 'audit'];

/**
 * What an address's fragment opens: {section, org}, org an organization id for #audit/<org id>
 * (URL-encoded), else null; null for a fragment that names no section (a sign-in link included).
 */
function addressed(hash) {
  const match = /^#([a-z-]+)(?:\/(.+))?$/.exec(hash || '');
  if (match === null || !SECTIONS.includes(match[1])) {
    return null;
  }
  let org = null;
  if (match[2] !== undefined) {
    try {
      org = decodeURIComponent(match[2]);
    } catch (malformed) {
      org = null;
    }
  }
  return { section: match[1], org };
}

/** Scrolls to a section, marks its link current and moves the focus to its heading. */
function showSection(target) {
  for (const link of byId('section-nav').querySelectorAll('a')) {
    if (link.getAttribute('href') === '#' + target.section) {
      link.setAttribute('aria-current', 'location');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  const section = byId(target.section);
  section.scrollIntoView({ block: 'start' });
  section.querySelector('h2').focus({ preventScroll: true });
}

/** Opens the address's section once the page is drawn; #audit/<org> reads that trail first. */
async function openAddressed() {
  const target = addressed(pageAddress());
  if (target === null || byId('admin-view').hidden) {
    return;
  }
  if (target.section === 'audit' && target.org !== null) {
    byId('audit-org').value = target.org;
    audit.beforeId = null;
    await loadAudit();
  }
  showSection(target);
}

window.addEventListener('hashchange', openAddressed);
// a link to the section already addressed changes no fragment: it still moves the focus
for (const link of byId('section-nav').querySelectorAll('a')) {
  link.addEventListener('click', () => {
    if (link.getAttribute('href') === pageAddress()) {
      openAddressed();
    }
  });
}

async function loadPlans() {
  const answer = await read('/plans', 'the plans');
  if (answer !== null) {
    planNames = new Map(answer.plans.map((plan) => [plan.id, plan.name]));
    const select = byId('what-if-plan');
    while (select.options.length > 1) {
      select.remove(1);
    }
    for (const plan of answer.plans) {
      select.append(el('option', { value: plan.id, text: plan.name }));
    }
    const versionsOf = clear(byId('plan-versions-plan'));
    for (const plan of answer.plans) {
      versionsOf.append(el('option', { value: plan.id, text: plan.name }));
    }
    await loadPlanVersions();
  }
}

// ---- plan versions ----

/** A version's limits in words: "cpu_cores 8, members 5 (soft)"; unlimited as such. */
const limitsText = (limits) => limits.map((l) => meterName(l.meter) + ' '
    + (l.limit === null ? 'unlimited' : quantity(l.limit)) + (l.kind ? ' (' + l.kind + ')' : ''))
    .join(', ');

/** The plan's versions, who is on each and their MRR, then its migrations. */
async function loadPlanVersions() {
  const plan = byId('plan-versions-plan').value;
  const holder = clear(byId('plan-versions'));
  if (plan === '') {
    return;
  }
  const answer = await read('/admin/plans/' + encodeURIComponent(plan) + '/versions',
      'the plan\'s versions');
  if (answer === null) {
    return;
  }
  holder.append(
      el('div', { class: 'table-scroll' }, table('plan-versions-table',
          answer.plan_name + ': versions (the latest, ' + answer.latest_version
              + ', is what new organizations take)',
          [{ text: 'Version' }, { text: 'Made' }, { text: 'Prices' }, { text: 'Limits' },
            { text: 'Organizations', num: true }, { text: 'MRR', num: true }],
          answer.versions.map((v) => ['v' + v.version,
            v.created_at === null ? 'as configured' : instant(v.created_at)
                + (v.created_by ? ' by ' + v.created_by : ''),
            v.prices.map((p) => money(p.price, p.currency)).join(', ') + ' / ' + v.interval,
            limitsText(v.limits),
            { text: v.organizations, num: true },
            { text: v.mrr.map((m) => money(m.mrr, m.currency)).join(', ') || '—', num: true }]),
          'No version.')),
      table('plan-migrations-table', answer.plan_name + ': migrations',
          [{ text: 'Migration' }, { text: 'Versions' }, { text: 'Effective' },
            { text: 'Told from' }, { text: 'Status' }, { text: 'Moved', num: true }],
          answer.migrations.map((m) => [String(m.id), 'v' + m.from_version + ' → v'
              + m.to_version, instant(m.effective_at), instant(m.notice_at), m.status,
          { text: m.moved, num: true }]),
          'No migration of this plan.'));
}

byId('plan-versions-plan').addEventListener('change', loadPlanVersions);

// ---- accounts ----

function accountsPath() {
  const query = [['sort', accounts.sort], ['limit', PAGE_SIZE], ['offset', accounts.offset],
    ['user_id', accounts.filter.user], ['status', accounts.filter.status],
    ['quota_state', accounts.filter.quota], ['kind', accounts.filter.kind]]
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([name, value]) => name + '=' + encodeURIComponent(value));
  return '/admin/users?' + query.join('&');
}

async function loadAccounts() {
  const page = await read(accountsPath(), 'the accounts');
  const holder = clear(byId('accounts'));
  if (page === null) {
    return;
  }
  accounts.nextOffset = page.next_offset;
  holder.append(accountsTable(page.users));
  byId('accounts-prev').disabled = accounts.offset === 0;
  byId('accounts-next').disabled = page.next_offset === null || page.next_offset === undefined;
  byId('accounts-page').textContent = page.users.length === 0 ? 'No accounts'
      : 'Accounts ' + (accounts.offset + 1) + '–' + (accounts.offset + page.users.length);
}

function accountsTable(users) {
  const head = el('tr', {}, ACCOUNT_COLUMNS.map((column) => {
    if (!column.sort) {
      return el('th', { scope: 'col', text: column.text });
    }
    const direction = accounts.sort === column.sort ? 'ascending'
        : accounts.sort === '-' + column.sort ? 'descending' : 'none';
    const button = el('button', { type: 'button', class: 'sort',
      id: 'sort-' + column.sort, text: column.text });
    button.addEventListener('click', () => {
      accounts.sort = direction === 'ascending' ? '-' + column.sort : column.sort;
      accounts.offset = 0;
      loadAccounts();
    });
    return el('th', { scope: 'col', class: column.num ? 'num' : null, 'aria-sort': direction },
        button);
  }));
  const rows = users.map((u) => el('tr', { id: 'account-row-' + u.user_id },
      el('th', { scope: 'row', text: u.user_id }),
      el('td', { class: 'org-name', text: u.name || '—' }),
      el('td', { class: 'org-kind', text: u.personal ? 'personal' : 'team' }),
      el('td', { class: 'num org-members', text: String(u.members) }),
      el('td', { class: 'org-plan', text: planName(u.plan_id) }),
      el('td', { class: 'num', text: money(u.current_period_cost, u.currency) }),
      el('td', { class: 'num', text: money(u.outstanding_balance, u.currency) }),
      el('td', { class: 'num credit-balance', text: money(u.credit_balance, u.currency) }),
      quotaCell(u),
      el('td', { text: u.status }),
      el('td', { text: u.holds.length === 0 ? 'none' : u.holds.join(', ') }),
      el('td', { class: 'num org-revenue', text: u.revenue.length === 0 ? '—'
        : u.revenue.map((r) => money(r.invoiced, r.currency)).join(', ') })));
  const body = rows.length > 0 ? rows
      : [el('tr', {}, el('td', { colspan: ACCOUNT_COLUMNS.length, class: 'empty',
        text: 'No account matches.' }))];
  return el('table', { id: 'accounts-table' },
      el('caption', { text: 'Organizations (the billing accounts), ' + PAGE_SIZE + ' a page' }),
      el('thead', {}, head), el('tbody', {}, body));
}

/** An account's worst quota state, and its meters at or over the threshold, worst first. */
function quotaCell(u) {
  const meters = u.quota_meters.map((m) => meterName(m.meter)
      + (m.percent === null ? '' : ' ' + quantity(m.percent) + '%')
      + (m.state === u.quota_state ? '' : ' (' + (QUOTA_STATE_TEXT[m.state] ?? m.state) + ')'));
  return el('td', { class: 'quota-state' },
      el('span', { class: 'state-' + u.quota_state,
        text: u.quota_state === 'ok' ? 'ok' : QUOTA_STATE_TEXT[u.quota_state] ?? u.quota_state }),
      meters.length === 0 ? null : ': ' + meters.join(', '));
}

byId('accounts-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  accounts.filter = { user: byId('filter-user').value.trim(),
    status: byId('filter-status').value, quota: byId('filter-quota').value,
    kind: byId('filter-kind').value };
  accounts.offset = 0;
  loadAccounts();
});
byId('accounts-next').addEventListener('click', () => {
  if (accounts.nextOffset !== null && accounts.nextOffset !== undefined) {
    accounts.offset = accounts.nextOffset;
    loadAccounts();
  }
});
byId('accounts-prev').addEventListener('click', () => {
  accounts.offset = Math.max(0, accounts.offset - PAGE_SIZE);
  loadAccounts();
});

// ---- the business at a glance ----

async function loadDashboard() {
  const board = await read('/admin/dashboard?months=12', 'the dashboard');
  if (board === null) {
    return;
  }
  const near = board.accounts_near_limits;
  clear(byId('near-limits')).append(el('dl', { class: 'facts' },
      el('dt', { text: 'Accounts with a meter in warning' }),
      el('dd', { id: 'near-limits-warning', text: near.warning }),
      el('dt', { text: 'Accounts over a limit' }),
      el('dd', { id: 'near-limits-exceeded', text: near.exceeded }),
      el('dt', { text: 'Accounts awaiting an overage confirmation' }),
      el('dd', { id: 'near-limits-confirmation_required', text: near.confirmation_required })));
  showRevenueCharts(board.revenue_by_month);
  clear(byId('revenue')).append(table('revenue-table', 'Revenue by month',
      [{ text: 'Period' }, { text: 'Currency' }, { text: 'Invoices', num: true },
        { text: 'Invoiced', num: true }, { text: 'Paid', num: true }],
      board.revenue_by_month.map((m) => [day(m.period_start), m.currency,
        { text: m.invoices, num: true }, { text: money(m.invoiced, m.currency), num: true },
        { text: money(m.paid, m.currency), num: true }]),
      'No finalized invoice in the last 12 months.'));
  clear(byId('revenue-by-plan')).append(table('revenue-by-plan-table', 'Revenue by plan',
      [{ text: 'Plan' }, { text: 'Amount', num: true }],
      board.revenue_by_plan.map((r) => [r.plan_id ? planName(r.plan_id) : '(no period)',
        { text: money(r.amount, r.currency), num: true }]), 'No plan fee invoiced yet.'));
  clear(byId('revenue-by-resource')).append(table('revenue-by-resource-table',
      'Revenue by resource', [{ text: 'Resource' }, { text: 'Amount', num: true }],
      board.revenue_by_resource.map((r) => [r.resource_type,
        { text: money(r.amount, r.currency), num: true }]), 'Nothing invoiced yet.'));
  clear(byId('outstanding')).append(table('outstanding-table', 'Outstanding and overdue',
      [{ text: 'Currency' }, { text: 'Sent', num: true }, { text: 'Sent total', num: true },
        { text: 'Overdue', num: true }, { text: 'Overdue total', num: true }],
      board.outstanding.map((o) => [o.currency, { text: o.sent_count, num: true },
        { text: money(o.sent_total, o.currency), num: true },
        { text: o.overdue_count, num: true },
        { text: money(o.overdue_total, o.currency), num: true }]),
      'Nothing outstanding.'));
  clear(byId('popular-packs')).append(table('popular-packs-table', 'Popular packs',
      [{ text: 'Pack' }, { text: 'Purchases', num: true }, { text: 'Renewals', num: true },
        { text: 'Revenue', num: true }],
      board.popular_packs.map((p) => [p.pack_name, { text: p.purchases, num: true },
        { text: p.renewals, num: true }, { text: money(p.revenue, p.currency), num: true }]),
      'No pack bought in the last 12 months.'));
  clear(byId('fault-credits')).append(table('fault-credits-table',
      'What platform faults cost (automatic fault credits)',
      [{ text: 'Period' }, { text: 'Reason' }, { text: 'Sessions', num: true },
        { text: 'Cost', num: true }, { text: 'Credited', num: true },
        { text: 'Capped', num: true }],
      board.fault_credits.map((f) => [day(f.period_start), f.reason,
        { text: f.sessions, num: true }, { text: money(f.cost, f.currency), num: true },
        { text: money(f.credited, f.currency), num: true }, { text: f.capped, num: true }]),
      'No session lost to a platform fault in the last 12 months.'));
  showUsagePatterns(board.usage_patterns);
}

function chartLibrary() {
  return typeof window.Chart === 'function';
}

/** One bar chart per currency (amounts are never converted, so never share an axis). */
function showRevenueCharts(months) {
  const holder = clear(byId('revenue-chart'));
  const status = byId('revenue-chart-status');
  status.textContent = months.length === 0 ? 'No data yet.'
      : chartLibrary() ? '' : 'The chart could not be drawn.';
  if (status.textContent !== '') {
    return;
  }
  for (const currency of [...new Set(months.map((m) => m.currency))]) {
    const mine = months.filter((m) => m.currency === currency);
    const canvas = el('canvas', { id: 'revenue-chart-' + currency, role: 'img',
      'aria-label': 'Revenue by month in ' + currency + ' (the table below has the figures)' });
    holder.append(canvas);
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: mine.map((m) => day(m.period_start)),
        datasets: [
          { label: 'Invoiced', backgroundColor: COLORS[0],
            data: mine.map((m) => Number(m.invoiced)) },
          { label: 'Paid', backgroundColor: COLORS[2], data: mine.map((m) => Number(m.paid)) },
        ],
      },
      options: { animation: false,
        scales: { y: { title: { display: true, text: 'Revenue (' + currency + ')' } } } },
    });
  }
}

function showUsagePatterns(patterns) {
  const canvas = byId('usage-patterns-chart');
  const status = byId('usage-patterns-chart-status');
  const existing = chartLibrary() ? window.Chart.getChart(canvas) : undefined;
  if (existing) {
    existing.destroy();
  }
  if (!chartLibrary()) {
    status.textContent = 'The chart could not be drawn.';
    canvas.hidden = true;
    return;
  }
  status.textContent = 'Over ' + day(patterns.from) + ' to ' + day(patterns.to) + ', hours in '
      + patterns.time_zone + '.';
  canvas.hidden = false;
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: patterns.hours.map((h) => String(h.hour).padStart(2, '0') + ':00'),
      datasets: [
        { label: 'Peak sessions', backgroundColor: COLORS[0],
          data: patterns.hours.map((h) => Number(h.peak_sessions)) },
        { label: 'Peak cores', backgroundColor: COLORS[3],
          data: patterns.hours.map((h) => Number(h.peak_cores)) },
      ],
    },
    options: { animation: false },
  });
}

// ---- jobs ----

async function loadJobs() {
  const status = await read('/jobs/status', 'the jobs');
  const holder = clear(byId('jobs-list'));
  if (status === null) {
    return;
  }
  holder.append(table('jobs-table', 'Scheduled jobs',
      [{ text: 'Job' }, { text: 'Schedule' }, { text: 'Last run' }, { text: 'Outcome' },
        { text: 'Next run' }, { text: 'Backlog', num: true }, { text: 'Run' }],
      status.jobs.map((job) => {
        const run = el('button', { type: 'button', class: 'secondary', id: 'job-run-' + job.name,
          text: 'Run now', 'aria-label': 'Run ' + job.name + ' now' });
        run.addEventListener('click', () => runJob(job.name, run));
        const last = job.last_run;
        return [job.name, job.cron + ' (' + job.time_zone + ')',
          last ? instant(last.started_at) : 'never',
          last ? last.outcome + (last.message ? ': ' + last.message : '') : '—',
          instant(job.next_fire_time),
          { text: job.backlog === null ? '—' : quantity(job.backlog), num: true }, run];
      }),
      'No job is scheduled.'));
}

/** How a job run's outcome is said: a success, a note (still running) or an error. */
const OUTCOME_KINDS = { succeeded: 'success', running: 'info', failed: 'error' };

async function runJob(name, button) {
  button.disabled = true;
  say('info', 'Running ' + name + '…');
  try {
    // the reason is required: what the run changes is recorded as this admin's, with it
    const run = await api(BILLING + '/jobs/' + encodeURIComponent(name),
        { method: 'POST', body: { reason: byId('job-reason').value.trim() },
          idempotencyKey: newKey() });
    say(OUTCOME_KINDS[run.outcome] || 'warning',
        run.outcome === 'running' ? name + ' is still running: ' + run.message
        : name + ' ended ' + run.outcome + ', ' + run.rows_touched + ' rows touched'
          + (run.message ? ': ' + run.message : '') + '.');
    await Promise.all([loadJobs(), loadAccounts()]);
  } catch (error) {
    announceError('Running ' + name + ' failed', error);
    button.disabled = false;
  }
}

// ---- forms ----

/**
 * Wires an admin form: on submit, send(key) calls the route and answers what to say. While one
 * submission is under way, another is ignored (a double click grants once; the key makes a
 * repeat of the same request harmless too).
 */
function adminForm(id, what, send) {
  const form = byId(id);
  let pending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (pending) {
      return;
    }
    pending = true;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      say('success', await send(newKey()));
      form.reset();
      await loadAccounts();
    } catch (error) {
      announceError(what + ' failed', error);
    } finally {
      pending = false;
      button.disabled = false;
    }
  });
}

const value = (id) => byId(id).value.trim();

adminForm('credit-form', 'Granting the credit', async (key) => {
  const body = { user_id: value('credit-user'), amount: Number(value('credit-amount')),
    reason: value('credit-reason') };
  if (value('credit-expires') !== '') {
    body.expires_at = value('credit-expires');
  }
  const credit = await api(BILLING + '/admin/credits',
      { method: 'POST', body, idempotencyKey: key });
  return 'Granted ' + money(credit.amount, credit.currency) + ' to ' + credit.user_id
      + ' (credit ' + credit.id + ').';
});

adminForm('invoice-form', 'Generating the invoice', async (key) => {
  const invoice = await api(BILLING + '/admin/invoices', { method: 'POST', idempotencyKey: key,
    body: { user_id: value('invoice-user'), period_start: value('invoice-start'),
      period_end: value('invoice-end'), reason: value('invoice-reason') } });
  return 'Invoice ' + invoice.invoice_number + ' (id ' + invoice.id + ') for '
      + invoice.user_id + ': ' + money(invoice.total, invoice.currency) + ', '
      + invoice.status + '.';
});

adminForm('credit-note-form', 'Issuing the credit note', async (key) => {
  const amount = value('credit-note-amount');
  const body = { reason: value('credit-note-reason'), refund: byId('credit-note-refund').value };
  if (value('credit-note-line') === '') {
    body.amount = amount;
  } else {
    body.lines = [{ line: Number(value('credit-note-line')), amount }];
  }
  const note = await api(BILLING + '/admin/invoices/' + encodeURIComponent(value(
      'credit-note-invoice')) + '/credit-notes', { method: 'POST', idempotencyKey: key, body });
  return 'Credit note ' + note.credit_note_number + ' on invoice ' + note.invoice_number + ': '
      + money(note.total, note.currency) + ' credited.';
});

adminForm('invoice-status-form', 'Changing the invoice', async () => {
  const id = value('invoice-id');
  const invoice = await api(BILLING + '/admin/invoices/' + encodeURIComponent(id),
      { method: 'PATCH', body: { status: byId('invoice-new-status').value,
        reason: value('invoice-note') } });
  return 'Invoice ' + invoice.invoice_number + ' is now ' + invoice.status + '.';
});

adminForm('unlock-form', 'Unlocking the account', async (key) => {
  const user = value('unlock-user');
  const unlocked = await api(BILLING + '/admin/users/' + encodeURIComponent(user) + '/unlock',
      { method: 'POST', body: { reason: value('unlock-note') }, idempotencyKey: key });
  return unlocked.user_id + ' is unlocked.';
});

// ---- coupons ----

/** What a coupon takes off and for how long, in words. */
function couponTerms(c) {
  const off = c.percent_off !== null ? c.percent_off + ' % off' : money(c.amount_off, c.currency)
    + ' off';
  const how = c.duration === 'repeating' ? c.duration_in_periods + ' periods' : c.duration;
  const what = [...c.applies_to.plans.map((p) => 'plan ' + planName(p)),
    ...c.applies_to.meters.map((m) => meterName(m)), ...(c.applies_to.store ? ['store'] : [])];
  return off + ', ' + how + ', on ' + what.join(', ');
}

async function loadCoupons() {
  const answer = await read('/admin/coupons', 'the coupons');
  if (answer === null) {
    return;
  }
  clear(byId('coupons-list')).append(table('coupons-table', 'Coupons',
      [{ text: 'Coupon' }, { text: 'Terms' }, { text: 'Codes' },
        { text: 'Redemptions', num: true }, { text: 'Redeemable until' }, { text: 'State' }],
      answer.coupons.map((c) => [c.id, couponTerms(c), c.codes.join(', '),
        { text: c.redemptions + (c.max_redemptions === null ? '' : ' of ' + c.max_redemptions),
          num: true },
        c.redeem_by === null ? '—' : instant(c.redeem_by), c.active ? 'active' : 'deactivated']),
      'No coupon yet.'));
}

const listed = (id) => value(id).split(',').map((s) => s.trim()).filter((s) => s !== '');

adminForm('coupon-form', 'Creating the coupon', async (key) => {
  const body = { id: value('coupon-id'), duration: byId('coupon-duration').value,
    applies_to: { plans: listed('coupon-plans'), meters: listed('coupon-meters'),
      store: byId('coupon-store').checked },
    codes: listed('coupon-codes'), reason: value('coupon-reason') };
  if (value('coupon-currency') === '') {
    body.percent_off = Number(value('coupon-off'));
  } else {
    body.amount_off = Number(value('coupon-off'));
    body.currency = value('coupon-currency').toUpperCase();
  }
  if (value('coupon-periods') !== '') {
    body.duration_in_periods = Number(value('coupon-periods'));
  }
  if (value('coupon-max') !== '') {
    body.max_redemptions = Number(value('coupon-max'));
  }
  if (value('coupon-redeem-by') !== '') {
    body.redeem_by = value('coupon-redeem-by') + 'T00:00:00Z';
  }
  const coupon = await api(BILLING + '/admin/coupons',
      { method: 'POST', body, idempotencyKey: key });
  await loadCoupons();
  return 'Coupon ' + coupon.id + ' created: ' + couponTerms(coupon) + '; codes '
      + coupon.codes.join(', ') + '.';
});

// ---- leads ----

const LEADS_PAGE = 20;
const leads = { offset: 0, nextOffset: null };

const REASON_TEXT = {
  near_limits: 'near its limits', hit_hard_limit: 'hit a hard limit', members_grew: 'members grew',
};

/** A reason's evidence in words; a reason this page does not know, as its JSON. */
function evidenceText(reason, evidence) {
  if (reason === 'near_limits' && Array.isArray(evidence)) {
    return evidence.map((n) => meterName(n.meter) + ': ' + n.days_above + ' days near its limit,'
        + ' at most ' + quantity((Number(n.highest_share) * 100).toFixed(2)) + '%').join('; ');
  }
  if (reason === 'hit_hard_limit' && Array.isArray(evidence)) {
    return evidence.map((h) => meterName(h.meter) + ' at its hard limit on ' + instant(h.at))
        .join('; ');
  }
  if (reason === 'members_grew' && evidence) {
    return 'members ' + evidence.from + ' → ' + evidence.to + ' in 30 days';
  }
  return (REASON_TEXT[reason] || reason) + ': ' + JSON.stringify(evidence);
}

async function loadLeads() {
  const page = await read('/admin/leads?limit=' + LEADS_PAGE + '&offset=' + leads.offset,
      'the leads');
  const holder = clear(byId('leads-list'));
  if (page === null) {
    return;
  }
  leads.nextOffset = page.next_offset;
  byId('leads-as-of').textContent = 'As judged at ' + instant(page.as_of) + '.';
  holder.append(table('leads-table', 'Sales leads, ' + LEADS_PAGE + ' a page',
      [{ text: 'Organization' }, { text: 'Plan' }, { text: 'Why' }, { text: 'Evidence' }],
      page.leads.map((lead) => [lead.org_id, planName(lead.plan),
        lead.reasons.map((r) => REASON_TEXT[r] || r).join(', '),
        el('ul', { class: 'evidence' }, lead.reasons.map((r) =>
            el('li', { text: evidenceText(r, (lead.evidence || {})[r]) })))]),
      'No organization is a lead now.'));
  byId('leads-prev').disabled = leads.offset === 0;
  byId('leads-next').disabled = page.next_offset === null || page.next_offset === undefined;
  byId('leads-page').textContent = page.leads.length === 0 ? ''
      : 'Leads ' + (leads.offset + 1) + '–' + (leads.offset + page.leads.length);
}

byId('leads-next').addEventListener('click', () => {
  if (leads.nextOffset !== null && leads.nextOffset !== undefined) {
    leads.offset = leads.nextOffset;
    loadLeads();
  }
});
byId('leads-prev').addEventListener('click', () => {
  leads.offset = Math.max(0, leads.offset - LEADS_PAGE);
  loadLeads();
});

// ---- the audit trail ----

const AUDIT_PAGE = 50;
const audit = { beforeId: null, nextBeforeId: null };

/** A value of the trail (before, after) as compact JSON; nothing as a dash. */
const shownJson = (value) => (value === null || value === undefined ? '—'
  : JSON.stringify(value));

/** Reads the trail, newest first, of the organization in the filter (all when empty). */
async function loadAudit() {
  const org = byId('audit-org').value.trim();
  const query = [['limit', AUDIT_PAGE], ['org_id', org], ['before_id', audit.beforeId]]
      .filter(([, v]) => v !== null && v !== '')
      .map(([name, v]) => name + '=' + encodeURIComponent(v));
  const page = await read('/admin/audit?' + query.join('&'), 'the audit trail');
  const holder = clear(byId('audit-list'));
  if (page === null) {
    return;
  }
  audit.nextBeforeId = page.next_before_id;
  const whose = org === '' ? 'every organization' : org;
  holder.append(table('audit-table',
      'Audit trail of ' + whose + (audit.beforeId === null ? ', newest first'
        : ', entries before #' + audit.beforeId),
      [{ text: 'Entry' }, { text: 'When' }, { text: 'Organization' }, { text: 'Who' },
        { text: 'What' }, { text: 'Subject' }, { text: 'Before' }, { text: 'After' },
        { text: 'Reason' }],
      page.entries.map((e) => ['#' + e.id, instant(e.occurred_at), e.org_id || '(platform)',
        e.actor_type + (e.actor_id ? ' ' + e.actor_id : ''), e.kind, e.subject || '—',
        el('code', { class: 'json', text: shownJson(e.before) }),
        el('code', { class: 'json', text: shownJson(e.after) }), e.reason || '—']),
      'No entry in the audit trail of ' + whose + '.'));
  byId('audit-older').disabled = page.next_before_id === null
      || page.next_before_id === undefined;
}

byId('audit-filter').addEventListener('submit', (event) => {
  event.preventDefault();
  audit.beforeId = null;
  const org = byId('audit-org').value.trim();
  // the address follows: #audit/<org> is this trail's link
  history.replaceState(null, '', '#audit' + (org === '' ? '' : '/' + encodeURIComponent(org)));
  loadAudit();
});
byId('audit-older').addEventListener('click', () => {
  if (audit.nextBeforeId !== null && audit.nextBeforeId !== undefined) {
    audit.beforeId = audit.nextBeforeId;
    loadAudit();
  }
});

/** A field of verify's answer in words: objects as JSON, nothing as a dash. */
const factText = (v) => (v === null || v === undefined ? '—'
  : typeof v === 'object' ? JSON.stringify(v) : String(v));

// GET /admin/audit/verify, no parameters: intact in words, then every other field it answers
byId('audit-verify').addEventListener('click', async () => {
  const button = byId('audit-verify');
  button.disabled = true;
  const holder = clear(byId('audit-verify-result'));
  try {
    const check = await api(BILLING + '/admin/audit/verify');
    const intact = check.intact === true;
    const facts = el('dl', { id: 'audit-verify-facts', class: 'facts' });
    for (const [key, v] of Object.entries(check)) {
      if (key !== 'intact') {
        facts.append(el('dt', { text: key }), el('dd', { id: 'audit-verify-' + key,
          text: factText(v) }));
      }
    }
    holder.append(el('p', { id: 'audit-verify-intact',
      class: intact ? 'status-approved' : 'refused',
      text: intact ? 'Intact: every chain of the trail checks out.'
        : 'Not intact: the trail was changed outside the plugin.' }), facts);
    say(intact ? 'success' : 'error', intact ? 'The audit trail is intact.'
      : 'The audit trail is not intact: see the first broken link under Audit trail.');
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Verifying the audit trail failed', error);
    }
  } finally {
    button.disabled = false;
  }
});

// ---- what-if ----

/** The what-if's body: the period and the changes the form names (none: today's prices). */
function whatIfBody() {
  const body = { period_start: value('what-if-start'), period_end: value('what-if-end') };
  const rate = byId('what-if-rate').value;
  if (rate !== '' && value('what-if-rate-value') !== '') {
    body.rates = { [rate]: Number(value('what-if-rate-value')) };
  }
  const plan = byId('what-if-plan').value;
  if (plan !== '' && value('what-if-plan-price') !== '') {
    body.plans = { [plan]: { price: Number(value('what-if-plan-price')) } };
  }
  return body;
}

function showWhatIf(answer) {
  const signed = (amount, currency) => (Number(amount) > 0 ? '+' : '') + money(amount, currency);
  const d = answer.distribution;
  clear(byId('what-if-result')).append(
      table('what-if-totals', 'Totals, ' + day(answer.period_start) + ' to '
          + day(answer.period_end) + ', per currency',
      [{ text: 'Currency' }, { text: 'Organizations', num: true },
        { text: 'Invoiced', num: true }, { text: 'What-if', num: true },
        { text: 'Change', num: true }, { text: 'Increases', num: true },
        { text: 'Decreases', num: true }],
      answer.totals.map((t) => [t.currency, { text: t.accounts, num: true },
        { text: money(t.invoiced_total, t.currency), num: true },
        { text: money(t.what_if_total, t.currency), num: true },
        { text: signed(t.delta, t.currency), num: true },
        { text: money(t.increase, t.currency), num: true },
        { text: money(t.decrease, t.currency), num: true }]),
      'No organization in this period.'),
      el('p', { id: 'what-if-distribution', text: d.more + ' would pay more, ' + d.less
        + ' less, ' + d.same + ' the same.' }),
      el('div', { class: 'table-scroll' }, table('what-if-accounts', 'Per organization',
          [{ text: 'Organization' }, { text: 'Currency' }, { text: 'Invoiced', num: true },
            { text: 'What-if', num: true }, { text: 'Change', num: true }],
          answer.accounts.map((a) => [a.org_id, a.currency,
            { text: money(a.invoiced_total, a.currency), num: true },
            { text: money(a.what_if_total, a.currency), num: true },
            { text: signed(a.delta, a.currency), num: true }]),
          'No organization in this period.')));
}

byId('what-if-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = byId('what-if-submit');
  button.disabled = true;
  try {
    const answer = await api(BILLING + '/admin/what-if', { method: 'POST', body: whatIfBody() });
    showWhatIf(answer);
    say('success', 'Re-rated ' + answer.accounts.length + ' organization'
        + (answer.accounts.length === 1 ? '' : 's') + ': nothing was changed.');
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('The what-if failed', error);
    }
  } finally {
    button.disabled = false;
  }
});

// the what-if's period: the calendar month of today, as a start (a billing period with
// invoiceDay 1; the route names the right bounds otherwise)
{
  const today = new Date();
  const iso = (d) => d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-01';
  byId('what-if-start').value = iso(today);
  byId('what-if-end').value = iso(new Date(today.getFullYear(), today.getMonth() + 1, 1));
}

const signOut = setUpSignIn(load);
setUpCorrections();

// An invoice's lines by id (a platform admin reads any); a click on a line opens its
// explanation, as on the user page.
byId('invoice-lines-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const id = value('invoice-lines-id');
  try {
    await showInvoiceLines(byId('admin-invoice-lines'), id, (path) => path);
  } catch (error) {
    announceError('Reading invoice ' + id + ' failed', error);
  }
});
