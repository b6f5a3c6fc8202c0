// The user's billing page: where the account stands, from the plugin's JSON routes only.
import {
  ApiError, BILLING, addAmounts, addsText, announceError, api, apiEvents, atLimit, banner, byId,
  clear, clearMessage, day, download, el, errorText, instant, meterName, meterStateClass,
  meterStateText,
  money, newKey, progressBar, quantity, savedBy, say, setUpSignIn, showInvoiceLines,
  signedOutIfRefused,
  table, withUnit,
} from './common.js';

/**
 * The organization the page shows and the caller's role in it, from GET /organizations: the
 * role decides which sections show and which routes are asked, so a section the role does not
 * have is never asked for (no refusal to explain). A personal organization is asked for without
 * org_id, as before organizations.
 */
const view = { userId: null, org: null, owner: false, admin: false };

/**
 * What to do next, by role: the owner's action, or for an admin or a member (who cannot take
 * it: the API answers them 403 owner_required) who can.
 */
const ownerOr = (ownersAction, othersSentence) => (view.owner ? ownersAction : othersSentence);

/** The path naming the organization shown (a team's by org_id). */
function inOrg(path) {
  if (view.org === null || view.org.personal) {
    return path;
  }
  return path + (path.includes('?') ? '&' : '?') + 'org_id=' + encodeURIComponent(view.org.org_id);
}

/** A POST or PUT body naming the organization shown. */
function bodyInOrg(body) {
  return view.org === null || view.org.personal ? body : { ...body, org_id: view.org.org_id };
}

/** Answers a route's body, or null when it failed (the failure said in the live region). */
async function read(path, what, quietStatuses = []) {
  try {
    return await api(BILLING + inOrg(path));
  } catch (error) {
    if (signedOutIfRefused(error, signOut)) {
      throw error;
    }
    if (!(error instanceof ApiError && quietStatuses.includes(error.status))) {
      announceError('Could not read ' + what, error);
    }
    return null;
  }
}

/** Runs an action (a POST or PUT); a 423 says the account is locked. Answers the body or null. */
async function act(path, method, body, what) {
  try {
    const answer = await api(BILLING + path, { method, body: bodyInOrg(body) });
    clearMessage();
    return answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === 423) {
      showLocked(error.message);
    }
    announceError(what + ' failed', error);
    return null;
  }
}

/** The key under which this tab remembers the organization a user chose. */
const chosenKey = (userId) => 'billing.org.' + userId;

/** What each role sees of an organization, in a sentence. */
const ROLE_TEXT = {
  owner: 'You are its owner: plan, seats, payment, invoices and usage.',
  admin: 'You are an admin: its usage by member, quotas and invoices. Payment is the owner\'s.',
  member: 'You are a member: your own usage and the quotas that may refuse your sessions.',
};

/** Counts the loads: a load that a newer one (another organization chosen) overtook stops. */
let loads = 0;

async function load() {
  const mine = ++loads;
  const stale = () => mine !== loads;
  clearMessage();
  clear(byId('banners'));
  delete byId('content').dataset.loadedOrg;
  let listing;
  try {
    listing = await api(BILLING + '/organizations');
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read your organizations', error);
    }
    return;
  }
  if (stale()) {
    return;
  }
  byId('signed-in-as').textContent = 'Signed in as ' + listing.user_id;
  view.userId = listing.user_id;
  const chosen = sessionStorage.getItem(chosenKey(listing.user_id));
  view.org = listing.organizations.find((o) => o.org_id === chosen) || listing.organizations[0];
  view.owner = view.org.role === 'owner';
  view.admin = view.owner || view.org.role === 'admin';
  showOrganizations(listing);
  showSections();
  startLive();
  let quota;
  try {
    quota = await read('/quota', 'the quotas', [404]);
  } catch (signedOut) {
    return;
  }
  if (stale()) {
    return;
  }
  if (quota === null) {
    say('warning', 'No billing account yet: it is opened when your user is created.');
    return;
  }
  showQuota(quota);
  showSeats(quota);
  if (view.admin) {
    await showAdministered(quota, stale);
  } else {
    showBanners(quota, null, null, null, null);
    await showOwnUsage(quota, stale);
  }
  if (!stale()) {
    // all drawn: what a test waits for
    byId('content').dataset.loadedOrg = view.org.org_id;
  }
}

/** What the owner and an admin see of the organization (the owner's actions only to them). */
async function showAdministered(quota, stale) {
  const [subscription, plans, spending, invoices, credits, packs, purchases, payments, daily,
    monthly, balance, topUpRule, advice, corrections, discount] = await Promise.all([
    read('/subscription', 'the plan'),
    read('/plans', 'the plans'),
    read('/spending-limit', 'the estimate'),
    read('/invoices', 'the invoices'),
    read('/credits', 'the credits'),
    view.owner ? read('/packs', 'the packs') : null,
    read('/purchases', 'the purchases'),
    view.owner ? read('/payments?limit=1', 'the payments') : null,
    read('/usage/daily?days=30', 'the daily usage', [404]),
    read('/costs/monthly?months=12', 'the monthly costs', [404]),
    read('/balance?limit=1', 'the prepaid balance'),
    read('/top-up-rule', 'the auto top-up rule'),
    read('/advice', 'the advice', [404]),
    read('/corrections', 'the corrections'),
    read('/discount', 'the discount'),
  ]).catch(() => []);
  if (subscription === undefined || stale()) {
    return; // signed out on a 401, or another organization chosen meanwhile
  }
  showPlan(subscription, plans);
  showDiscount(discount, plans);
  showPlans(plans);
  showAdvice(advice);
  showInvoices(invoices);
  showCredits(credits);
  showCorrections(corrections);
  showBalance(balance, topUpRule, plans);
  showPacks(packs);
  showPurchases(purchases);
  showBanners(quota, plans, spending, invoices, payments);
  await showCost(spending, invoices, stale);
  if (stale()) {
    return;
  }
  showUsageChart(daily);
  showCostChart(monthly);
}

/**
 * The live panel: GET /live as server-sent events, one a second, for the organization shown,
 * read again after the server ends a stream (it does after a while) or after a failure, 2
 * seconds later. One stream at a time: a new load, or signing out, stops the last.
 */
let liveStream = null;

function stopLive() {
  if (liveStream !== null) {
    liveStream.abort();
    liveStream = null;
  }
}

function startLive() {
  stopLive();
  const stream = new AbortController();
  liveStream = stream;
  byId('live-cost-figures').hidden = !view.admin;
  clear(byId('live-cost-sessions'));
  for (const id of ['live-cost-total', 'live-cost-rate', 'live-cost-runway', 'live-cost-status']) {
    byId(id).textContent = '';
  }
  byId('live-cost-section').hidden = false;
  (async () => {
    while (!stream.signal.aborted) {
      try {
        await apiEvents(BILLING + inOrg('/live'), showLive, stream.signal);
      } catch (error) {
        if (stream.signal.aborted || signedOutIfRefused(error, signOut)) {
          return;
        }
        byId('live-cost-status').textContent = 'The live figures paused (' + errorText(error)
            + '); reading them again.';
      }
      await new Promise((resume) => setTimeout(resume, 2000));
    }
  })();
}

/** One event of /live: the figures, each running session (a member's own only). */
function showLive(live) {
  byId('live-cost-status').textContent = '';
  if (live.total !== null) {
    byId('live-cost-total').textContent = money(live.total, live.currency);
    byId('live-cost-rate').textContent = money(live.rate_per_hour, live.currency) + ' an hour';
    byId('live-cost-runway').textContent = runwayText(live.runway);
  }
  clear(byId('live-cost-sessions')).append(table('live-cost-sessions-table',
      view.admin ? 'Running sessions' : 'Your running sessions',
      [{ text: 'Session' }, { text: 'Member' }, { text: 'Since' },
        { text: 'Cost so far', num: true }, { text: 'Rate', num: true }],
      live.sessions.map((s) => [s.session_id, s.user_id, instant(s.since),
        { text: money(s.cost_so_far, live.currency), num: true },
        { text: money(s.rate_per_hour, live.currency) + ' / h', num: true }]),
      'No session is running.'));
}

/** What a limit reached is, in words. */
const RUNWAY_TEXT = {
  balance: 'the prepaid balance is spent',
  spending_limit: 'the spending limit is reached',
  member_budget: 'a member\'s budget is reached',
};

/** When the first limit is reached at the burn rate, or that none is. */
function runwayText(runway) {
  if (runway === null) {
    return 'No limit is reached at this rate';
  }
  const what = (RUNWAY_TEXT[runway.what] || runway.what)
      + (runway.action === 'block' ? ', then the sessions are suspended' : '');
  return runway.seconds === 0 ? 'Now: ' + what
    : 'In ' + durationText(runway.seconds) + ' (' + instant(runway.at) + '): ' + what;
}

/** A length of time in its two largest units: "2 d 3 h", "6 h 38 min", "12 min", "40 s". */
function durationText(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days > 0) {
    return days + ' d ' + hours + ' h';
  }
  if (hours > 0) {
    return hours + ' h ' + minutes + ' min';
  }
  return minutes > 0 ? minutes + ' min' : seconds + ' s';
}

byId('signout').addEventListener('click', stopLive);

/** The organizations to choose from; choosing one shows it. */
function showOrganizations(listing) {
  const select = clear(byId('org-select'));
  for (const o of listing.organizations) {
    const name = o.personal ? 'Personal'
      : !o.name || o.name === o.org_id ? o.org_id : o.name + ' (' + o.org_id + ')';
    select.append(el('option', { value: o.org_id, selected: o === view.org },
        name + ', ' + o.role));
  }
  byId('org-role').textContent = view.org.personal
    ? 'Your personal organization: you are its owner.' : ROLE_TEXT[view.org.role] ?? '';
}

byId('org-select').addEventListener('change', () => {
  sessionStorage.setItem(chosenKey(view.userId), byId('org-select').value);
  load();
});

/** Each section by the role: only what the API lets that role read (class comment). */
function showSections() {
  const team = !view.org.personal;
  const shown = {
    'plan-section': view.admin,
    'discount-section': view.admin,
    'seats-section': view.admin && team,
    'by-member-section': view.admin && team,
    'charts-section': view.admin,
    'plans-section': view.admin,
    'advice-section': view.admin,
    'invoices-section': view.admin,
    'credits-section': view.admin,
    'corrections-section': view.admin,
    'balance-section': view.admin,
    'packs-section': view.owner,
    'purchases-section': view.admin,
  };
  for (const [id, on] of Object.entries(shown)) {
    byId(id).hidden = !on;
  }
  byId('cost-heading').textContent = view.admin ? 'This period' : 'Your usage this period';
  byId('estimate-note').hidden = !view.admin;
  byId('period-split-note').textContent = '';
  for (const id of ['period-split', 'cost-by-resource', 'estimate', 'by-member', 'invoices',
    'credits', 'corrections', 'packs', 'purchases', 'plans', 'advice']) {
    clear(byId(id));
  }
  byId('portal').hidden = true;
  for (const id of ['balance-balance', 'balance-reserved', 'balance-available', 'balance-rule',
    'top-up-currency', 'top-up-note']) {
    byId(id).textContent = '';
  }
  byId('top-up-form').hidden = true;
  byId('discount-text').textContent = '';
  byId('redeem-form').hidden = true;
  byId('redeem-note').hidden = true;
}

/** A team's seats: its members now, against the plan's limit on the members meter if any. */
function showSeats(quota) {
  if (view.org.personal) {
    return;
  }
  byId('seats-members').textContent = String(view.org.members);
  const seats = quota.meters.find((m) => m.meter === 'members');
  byId('seats-limit').textContent = !seats ? 'None on this plan'
    : seats.limit === null ? 'Unlimited'
      : withUnit(seats.limit, seats.unit) + (seats.kind ? ' (' + seats.kind + ')' : '');
}

/**
 * A member's own usage this period: their part of each of the organization's lines
 * (member_id). The period is the quota's: from its start to when its counters reset (the next
 * period's start); without a counter, the calendar month /usage defaults to.
 */
async function showOwnUsage(quota, stale) {
  const end = quota.meters.map((m) => m.resets_at).find((at) => at);
  const range = end ? '&from=' + encodeURIComponent(quota.period_start) + '&to='
      + encodeURIComponent(end) : '';
  byId('cost-period').textContent = end ? 'From ' + instant(quota.period_start) + ' to '
      + instant(end) : 'This month';
  const usage = await read('/usage?member_id=' + encodeURIComponent(view.userId) + range,
      'your usage').catch(() => null);
  if (usage === null || stale()) {
    return;
  }
  clear(byId('cost-by-resource')).append(usageTable(usage,
      'Your usage under ' + (view.org.name || view.org.org_id) + ' so far, by resource'));
}

/**
 * A /usage answer's lines and total as a table (id cost-so-far). Idle or disconnected time
 * priced at a factor is on a line of its own, named with it ("CPU, idle (× 0.5)") and what its
 * price saved, and so is hibernated time ("CPU, hibernated"); the saving of them all is shown
 * above the total, which stays the last row.
 */
function usageTable(usage, caption) {
  const saved = usage.total_saved == null ? []
    : [[savedBy(usage.lines), '', { text: money(usage.total_saved, usage.currency), num: true }]];
  return table('cost-so-far', caption,
      [{ text: 'Resource' }, { text: 'Quantity', num: true }, { text: 'Cost', num: true }],
      usage.lines.map((l) => [
        l.description ? l.description + ', saved ' + money(l.saved, usage.currency)
          : l.resource_type,
        { text: quantity(l.quantity) + ' ' + l.unit, num: true },
        { text: money(l.total_cost, usage.currency), num: true }])
          .concat(saved)
          .concat([['Total', '', { text: money(usage.total_cost, usage.currency), num: true }]]),
      '');
}

/** A team's usage by member (the admin's and the owner's), adding up to its total. */
function showByMember(usage) {
  if (!usage.by_member) {
    return;
  }
  clear(byId('by-member')).append(table('by-member-table', 'Cost so far by member',
      [{ text: 'Member' }, { text: 'Cost', num: true }],
      usage.by_member.map((m) => [m.user_id,
        { text: money(m.total_cost, usage.currency), num: true }])
          .concat([
            ['Organization (storage)',
              { text: money(usage.organization_cost, usage.currency), num: true }],
            ['Total', { text: money(usage.total_cost, usage.currency), num: true }],
          ]), ''));
}

/** What the page says beside a plan's price in usage mode, where no plan fee is invoiced. */
const FEE_NOT_CHARGED = 'not charged in usage billing mode: you pay for what you use, and the'
    + " plan's limits apply";

/** Whether a plan's price is invoiced: a fee above 0 in subscription or hybrid mode. */
function feeCharged(billingMode, price) {
  return billingMode !== 'usage' || Number(price) === 0;
}

function showPlan(subscription, plans) {
  if (subscription === null) {
    return;
  }
  byId('plan-name').textContent = subscription.plan_name;
  const price = money(subscription.price, subscription.currency) + ' / ' + subscription.interval;
  byId('plan-price').textContent = feeCharged(subscription.billing_mode, subscription.price)
      ? price : price + ' (' + FEE_NOT_CHARGED + ')';
  byId('billing-mode').textContent = subscription.billing_mode;
  showPlanChange(subscription.scheduled_change);
  showTrial(subscription.trial);
  const portal = byId('portal');
  portal.hidden = !(view.owner && plans && plans.stripe_enabled);
}

/**
 * The coming change of the plan's price the organization was told of (a migration onto another
 * version of its plan, billing.plan.migration_scheduled), or nothing.
 */
function showPlanChange(change) {
  const note = byId('plan-change');
  note.hidden = !change;
  if (change) {
    note.textContent = 'From ' + instant(change.effective_at) + ', ' + change.plan_name
        + ' costs ' + money(change.price, change.currency) + ' / ' + change.interval
        + ' (version ' + change.to_version + ' of the plan).';
  }
}

/**
 * The trial of its plan the organization is on, and what happens at its end: it converts (a
 * payment method on file, or a Stripe Subscription) or falls back to the default plan.
 */
function showTrial(trial) {
  const note = byId('plan-trial');
  note.hidden = !trial;
  if (trial) {
    note.textContent = trial.plan_name + ' is free until ' + instant(trial.ends_at)
        + ', the end of your trial. '
        + (trial.will_convert
          ? 'From then it costs ' + money(trial.price, trial.currency) + ' / ' + trial.interval
            + ', charged to your payment method on file.'
          : 'Without a payment method on file, you then move to ' + trial.fallback_plan_name
            + '; add one to stay on ' + trial.plan_name + ' at '
            + money(trial.price, trial.currency) + ' / ' + trial.interval + '.');
  }
}

/**
 * The organization's discount from a coupon (GET /discount): its terms and the periods it
 * covers; the owner's field to redeem a code (POST /redeem), shown while none runs.
 */
function showDiscount(answer, plans) {
  if (answer === null) {
    return;
  }
  const d = answer.discount;
  byId('discount-text').textContent = d === null ? 'No discount.'
    : 'Coupon ' + d.coupon_id + ' (code ' + d.code + '): ' + d.terms.description + ' '
      + discountedWhat(d.terms.applies_to, plans) + ', on the invoices of the periods from '
      + day(d.discount_from) + (d.discount_until === null ? ' on' : ' to ' + day(d.discount_until))
      + ', before tax.';
  byId('redeem-form').hidden = !view.owner || d !== null;
  byId('redeem-note').hidden = !view.owner || d !== null;
}

/** What a coupon takes something off, in words: plans by their names, meters by theirs. */
function discountedWhat(appliesTo, plans) {
  const planName = (id) => plans?.plans.find((p) => p.id === id)?.name ?? id;
  const parts = [];
  if (appliesTo.plans.length > 0) {
    parts.push('the plan fee of ' + appliesTo.plans.map(planName).join(', '));
  }
  if (appliesTo.meters.length > 0) {
    parts.push('the usage of ' + appliesTo.meters.map((m) => meterName(m)).join(', '));
  }
  if (appliesTo.store) {
    parts.push('store items');
  }
  return parts.join(', ');
}

byId('redeem-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('redeem-code');
  const code = input.value.trim();
  const button = byId('redeem');
  button.disabled = true;
  const redeemed = await act('/redeem', 'POST', { code }, 'Redeeming the code');
  button.disabled = false;
  if (redeemed !== null) {
    input.value = '';
    await load();
    say('success', 'Code ' + redeemed.code + ' redeemed: ' + redeemed.terms.description + '.');
  } else {
    input.focus();
  }
});

function showQuota(quota) {
  const holder = clear(byId('quotas'));
  byId('quota-period').textContent = 'Period started ' + instant(quota.period_start);
  for (const m of quota.meters) {
    const name = meterName(m.meter, m.name);
    const block = el('div', { id: 'quota-' + m.meter, class: 'meter' });
    const used = withUnit(m.used, m.unit);
    if (m.limit === null) {
      block.append(el('div', { class: 'meter-head' },
          el('span', { text: name }), el('span', { text: used + ' used, unlimited' })));
      holder.append(block);
      continue;
    }
    const of = quantity(m.used) + ' of ' + withUnit(m.limit, m.unit);
    const percent = m.percent === null ? '' : ' (' + quantity(m.percent) + '%)';
    const stateText = meterStateText(m);
    const stateClass = meterStateClass(m);
    block.append(
        el('div', { class: 'meter-head' },
            el('span', { text: name + (m.kind ? ' (' + m.kind + ' limit)' : '') }),
            el('span', {}, of + percent + ' ',
                el('span', { id: 'quota-state-' + m.meter, class: stateClass, text: stateText }))),
        progressBar('quota-bar-' + m.meter, name + ' used against its limit',
            Number(m.used), Number(m.limit), m.state,
            of + percent + (stateText ? ', ' + stateText : '')));
    if (m.resets_at) {
      block.append(el('p', { class: 'note', text: 'Resets ' + instant(m.resets_at) }));
    }
    if (m.overage_cost !== null) {
      block.append(el('p', { id: 'overage-' + m.meter },
          'Estimated overage cost: ' + money(m.overage_cost, quota.currency)));
    }
    if (m.state === 'confirmation_required' && view.owner) {
      const button = el('button', {
        id: 'overage-confirm-' + m.meter, type: 'button',
        text: 'Confirm overage for ' + name,
      });
      button.addEventListener('click', async () => {
        button.disabled = true;
        if (await act('/overage/confirm', 'POST', { meter: m.meter }, 'Confirming overage')) {
          await load();
        } else {
          button.disabled = false;
        }
      });
      block.append(button);
    } else if (m.state === 'confirmation_required') {
      block.append(el('p', { id: 'overage-ask-owner-' + m.meter, class: 'note',
        text: 'Ask the organization\'s owner to confirm the overage.' }));
    }
    holder.append(block);
  }
}

/** The statuses of a finalized invoice: it has claimed its usage, which the estimate leaves out. */
const FINALIZED = ['sent', 'paid', 'overdue'];

/**
 * This period's invoices already finalized (page: GET /invoices, newest period first): those
 * whose period starts in it, as /costs/monthly counts a period's invoices. A draft has claimed
 * nothing yet: its usage is still in the estimate.
 */
function invoicedThisPeriod(spending, page) {
  const start = Date.parse(spending.period_start);
  const end = Date.parse(spending.period_end);
  return page.invoices.filter((i) => FINALIZED.includes(i.status)
      && i.currency === spending.currency
      && Date.parse(i.period_start) >= start && Date.parse(i.period_start) < end);
}

/**
 * The period so far in two parts, each labelled: what its finalized invoices already charged
 * and what is not invoiced yet (the estimate), both before credits, and the two added up. Else
 * an estimate of $0.00 beside a cost so far reads as a bug once an invoice took the usage.
 */
function showPeriodSplit(spending, invoices) {
  const currency = spending.currency;
  const invoiced = invoicedThisPeriod(spending, invoices);
  const invoicedAmount = addAmounts(invoiced.map((i) => i.subtotal), currency);
  clear(byId('period-split')).append(table('period-split-table',
      'This period so far, before credits',
      [{ text: 'Charges' }, { text: 'Amount', num: true }],
      [
        ['Already invoiced', { text: money(invoicedAmount, currency), num: true }],
        ['Not yet invoiced (estimate)',
          { text: money(spending.estimate.total, currency), num: true }],
        ['This period so far', {
          text: money(addAmounts([invoicedAmount, spending.estimate.total], currency), currency),
          num: true,
        }],
      ], ''));
  byId('period-split-note').textContent = invoiced.length === 0
    ? 'Nothing is invoiced yet this period.'
    : 'Already invoiced on ' + invoiced.map((i) => i.invoice_number).join(', ')
        + ' (under Invoices), so that usage is not in the estimate again.';
}

/** The estimate's kinds of line the page names; another kind is named from its key. */
const ESTIMATE_LINES = {
  plan_fee: 'Plan fee', usage: 'Usage', overage: 'Overage', packs: 'Packs', store: 'Store items',
  discounts: 'Discounts',
};

/** A kind of line the page does not know, named from its key: seat_fees → Seat fees. */
const kindName = (kind) => kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');

/**
 * The estimate's parts as the API answers them, each an amount by kind of line, in its order:
 * every member but total (which is their sum), so a kind the page does not know yet still shows
 * and the table adds up to its total.
 */
function estimateLines(estimate) {
  return Object.entries(estimate).filter(([kind, amount]) => kind !== 'total'
      && (typeof amount === 'number' || typeof amount === 'string'));
}

async function showCost(spending, invoices, stale) {
  if (spending === null) {
    return;
  }
  const currency = spending.currency;
  byId('cost-period').textContent = 'From ' + instant(spending.period_start) + ' to '
      + instant(spending.period_end);
  if (invoices !== null) {
    showPeriodSplit(spending, invoices);
  }
  clear(byId('estimate')).append(table('estimate-table',
      'Not yet invoiced: the next invoice, estimated',
      [{ text: 'Line' }, { text: 'Amount', num: true }],
      estimateLines(spending.estimate).map(([kind, amount]) => [
        ESTIMATE_LINES[kind] ?? kindName(kind), { text: money(amount, currency), num: true }])
          .concat([['Not yet invoiced',
            { text: money(spending.estimate.total, currency), num: true }]]), ''));
  const range = '?from=' + encodeURIComponent(spending.period_start) + '&to='
      + encodeURIComponent(spending.period_end);
  const usage = await read('/usage' + range, 'the usage so far').catch(() => null);
  if (usage === null || stale()) {
    return;
  }
  clear(byId('cost-by-resource')).append(usageTable(usage,
      'Usage so far by resource, invoiced or not'));
  showByMember(usage);
}

function showPlans(plans) {
  const holder = clear(byId('plans'));
  if (plans === null) {
    return;
  }
  const currency = plans.currency;
  const header = el('tr', {}, el('th', { scope: 'col', text: 'Plan' }),
      plans.plans.map((p) => el('th', {
        scope: 'col', id: 'plan-' + p.id,
        class: p.id === plans.current_plan_id ? 'current' : null,
        'aria-describedby': 'plan-features-' + p.id,
      }, p.name, p.id === plans.current_plan_id ? ' (current plan)' : '')));
  const row = (label, cell) => el('tr', {}, el('th', { scope: 'row', text: label }),
      plans.plans.map((p) => el('td', {
        class: p.id === plans.current_plan_id ? 'current' : null,
      }, cell(p))));
  const rows = [row('Price', (p) => money(p.price, currency) + ' / ' + p.interval)];
  plans.plans[0]?.limits.forEach((limit, i) => rows.push(row(meterName(limit.meter, limit.name),
      (p) => {
        const l = p.limits[i];
        return l.limit === null ? 'Unlimited' : withUnit(l.limit, l.unit) + ' (' + l.kind + ')';
      })));
  rows.push(row('Features', (p) => el('ul', { id: 'plan-features-' + p.id, class: 'features' },
      p.features.map((f) => el('li', { text: f })))));
  rows.push(row('', (p) => {
    if (p.id === plans.current_plan_id) {
      return el('strong', { text: 'Your plan' });
    }
    if (!view.owner) {
      return null; // a change of plan is the owner's
    }
    const button = el('button', {
      id: 'plan-choose-' + p.id, type: 'button', 'aria-describedby': 'plan-features-' + p.id,
      text: 'Switch to ' + p.name,
    });
    button.addEventListener('click', () => choosePlan(p, plans.stripe_enabled, button));
    return button;
  }));
  holder.append(el('table', { id: 'plans-table' },
      el('caption', { text: 'Plans and their limits, prices in ' + currency }),
      el('thead', {}, header), el('tbody', {}, rows)));
  if (plans.billing_mode === 'usage') {
    holder.append(el('p', { id: 'plans-fee-note', class: 'note',
      text: "The prices are not charged in usage billing mode: you pay for what you use, and"
          + " a plan's limits apply." }));
  }
}

/**
 * Stripe Checkout where Stripe is enabled (it saves a payment method, then the plan changes);
 * otherwise, or when the plugin answers 409 stripe_disabled, the plan change endpoint.
 */
async function choosePlan(plan, stripeEnabled, button) {
  button.disabled = true;
  if (stripeEnabled) {
    const here = location.origin + location.pathname;
    try {
      const checkout = await api(BILLING + '/create-checkout', {
        method: 'POST', body: bodyInOrg({ plan_id: plan.id, success_url: here, cancel_url: here }),
      });
      location.assign(checkout.checkout_url);
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'stripe_disabled')) {
        if (error instanceof ApiError && error.status === 423) {
          showLocked(error.message);
        }
        announceError('Starting the checkout failed', error);
        button.disabled = false;
        return;
      }
    }
  }
  if (await act('/subscription', 'PUT', { plan_id: plan.id }, 'Changing the plan')) {
    say('success', 'You are now on ' + plan.name + '.');
    await load();
    say('success', 'You are now on ' + plan.name + '.');
  } else {
    button.disabled = false;
  }
}

function showInvoices(page) {
  const holder = clear(byId('invoices'));
  if (page === null) {
    return;
  }
  holder.append(table('invoices-table', 'Your invoices, newest first',
      [{ text: 'Number' }, { text: 'Period' }, { text: 'Status' }, { text: 'Total', num: true },
        { text: 'Credited', num: true }, { text: 'Due' }, { text: 'PDF' }, { text: 'Lines' }],
      page.invoices.map((i) => [
        i.invoice_number || 'Draft',
        day(i.period_start) + ' – ' + day(i.period_end),
        el('span', { id: 'invoice-status-' + i.id, text: i.status }),
        { text: money(i.total, i.currency), num: true },
        // what its credit notes gave back; their list is under its lines
        { text: Number(i.credited) > 0 ? money(i.credited, i.currency) : '', num: true },
        day(i.due_date),
        pdfButton(i),
        linesButton(i),
      ]), 'No invoices yet.'),
      el('div', { id: 'invoice-lines' }));
}

/** Shows the invoice's lines below the list; a click on a line opens its explanation. */
function linesButton(invoice) {
  const name = invoice.invoice_number || 'draft ' + invoice.id;
  const button = el('button', {
    id: 'invoice-lines-' + invoice.id + '-open', type: 'button', class: 'secondary',
    text: 'Lines', 'aria-label': 'Show the lines of invoice ' + name,
  });
  button.addEventListener('click', async () => {
    try {
      await showInvoiceLines(byId('invoice-lines'), invoice.id, inOrg);
    } catch (error) {
      announceError('Reading invoice ' + name + ' failed', error);
    }
  });
  return button;
}

/** Downloads with the bearer header, then hands the browser a blob URL: no token in a URL. */
function pdfButton(invoice) {
  const name = invoice.invoice_number || 'draft ' + invoice.id;
  const button = el('button', {
    id: 'invoice-pdf-' + invoice.id, type: 'button', class: 'secondary',
    text: 'Download', 'aria-label': 'Download invoice ' + name + ' as PDF',
  });
  button.addEventListener('click', async () => {
    try {
      await download(BILLING + inOrg('/invoices/' + invoice.id + '/pdf'),
          (invoice.invoice_number || 'DRAFT-' + invoice.id) + '.pdf');
    } catch (error) {
      announceError('Downloading invoice ' + name + ' failed', error);
    }
  });
  return button;
}

/** An option of GET /advice in words: "Hobby", "Hobby with 50 GB bandwidth". */
function optionName(option) {
  return option.pack_name === null ? option.plan_name
    : option.plan_name + ' with ' + option.pack_name;
}

/** A right-sizing resource's unit in words: "GB memory", "cores", "gpu". */
function sizeUnit(meter) {
  return meter === 'memory_gb' ? 'GB memory' : meter === 'cpu_cores' ? 'cores' : meter;
}

/**
 * GET /advice: per period (the last closed one, this one so far), a sentence on the cheapest
 * option and its saving, each plan's cost, the packs cheaper than the overage they absorb, and
 * a sentence per resource its sessions could hold less of.
 */
function showAdvice(advice) {
  const holder = clear(byId('advice'));
  if (!advice) {
    return;
  }
  for (const period of advice.periods) {
    const when = period.closed ? 'Last period' : 'This period so far';
    const range = day(period.period_start) + ' – ' + day(period.period_end);
    const paid = money(period.paid, advice.currency);
    const told = period.cheapest !== null && Number(period.saving) > 0
      ? 'on ' + optionName(period.cheapest) + ' it would have cost '
        + money(period.cheapest.total, advice.currency) + ', '
        + money(period.saving, advice.currency) + ' less.'
      : 'no plan would have cost less.';
    holder.append(el('p', { text: when + ' (' + range + '): ' + paid + ' charged; ' + told }));
    for (const pack of period.packs) {
      holder.append(el('p', { text: pack.name + ' (' + money(pack.price, advice.currency)
          + ') would have cost less than the ' + money(pack.overage_paid, advice.currency)
          + ' of overage it absorbs: ' + money(pack.saving, advice.currency) + ' less.' }));
    }
    for (const size of period.right_sizing) {
      const unit = sizeUnit(size.meter);
      holder.append(el('p', { text: 'Your sessions used at most ' + size.p95_used + ' of their '
          + size.held + ' ' + unit + ' (p95); at ' + size.suggested + ' ' + unit
          + ' the period would have cost ' + money(size.saving, advice.currency) + ' less.' }));
    }
    holder.append(table('advice-table-' + (period.closed ? 'last' : 'current'),
        when + ': each plan\'s cost', [{ text: 'Plan' }, { text: 'Alone', num: true },
          { text: 'With its best pack', num: true }],
        period.plans.map((p) => [p.alone.plan_name,
          { text: money(p.alone.total, advice.currency), num: true },
          p.with_pack === null ? '—'
            : { text: money(p.with_pack.total, advice.currency) + ' (' + p.with_pack.pack_name
                + ')', num: true }]),
        'No plan is priced in this currency.'));
  }
}

function showCredits(statement) {
  const holder = clear(byId('credits'));
  if (statement === null) {
    return;
  }
  byId('credit-balance').textContent = money(statement.balance, statement.currency);
  holder.append(table('credits-table', 'Credits granted to you, newest first',
      [{ text: 'Reason' }, { text: 'Granted' }, { text: 'Amount', num: true },
        { text: 'Remaining', num: true }, { text: 'Expires' }],
      statement.credits.map((c) => [
        c.reason,
        day(c.granted_at),
        { text: money(c.amount, statement.currency), num: true },
        { text: money(c.remaining, statement.currency), num: true },
        c.expires_at ? day(c.expires_at) + (c.expired ? ' (expired)' : '') : 'Never',
      ]), 'No credits.'));
}

/** What a correction did to an invoice (GET /corrections' outcome), in words. */
const OUTCOME_TEXT = {
  on_invoice: 'billed on this invoice',
  credit_note: 'credited back',
  correction_line: 'on your next invoice',
  credit_note_and_correction_line: 'credited back and on your next invoice',
  no_change: 'no change',
};

/** What one correction item changed, in a phrase. */
function itemText(item) {
  if (item.kind === 'cancel') {
    return 'event ' + item.event_id + ' taken back';
  }
  if (item.kind === 'backfill') {
    return item.event_type + ' ' + item.event_id + ' of ' + instant(item.occurred_at) + ' added';
  }
  if (item.session_id === null) {
    return 'report ' + item.event_id + ': quantity ' + item.quantity;
  }
  const units = [['cpu_cores', ' cores'], ['memory_gb', ' GB memory'],
    ['storage_gb', ' GB storage']];
  const sizes = units.filter(([key]) => item[key] !== null)
    .map(([key, unit]) => item[key] + unit);
  return 'session ' + item.session_id + ' ' + instant(item.from) + ' – ' + instant(item.to) + ': '
      + sizes.concat(Object.entries(item.resources || {}).map(([id, n]) => n + ' ' + id))
        .join(', ');
}

/** The organization's usage corrections (GET /corrections): what changed, why, the money. */
function showCorrections(listing) {
  const holder = clear(byId('corrections'));
  if (listing === null || listing === undefined) {
    return;
  }
  const rows = [];
  for (const c of listing.corrections) {
    for (const invoice of c.invoices) {
      rows.push([
        day(c.applied_at || c.created_at),
        c.reason,
        c.items.map(itemText).join('; '),
        invoice.invoice_number || day(invoice.period_start) + ' – ' + day(invoice.period_end),
        { text: money(invoice.difference, invoice.currency), num: true },
        OUTCOME_TEXT[invoice.outcome] || invoice.outcome,
      ]);
    }
  }
  holder.append(table('corrections-table', 'Corrections of your usage, newest first',
      [{ text: 'Date' }, { text: 'Why' }, { text: 'What changed' }, { text: 'Invoice' },
        { text: 'Difference', num: true }, { text: 'Billed' }],
      rows, 'No corrections.'));
}

/** Why an auto top-up charges no more for now (GET /top-up-rule's halted), in words. */
const HALTED_TEXT = {
  no_payment_method: 'halted: no payment method is saved',
  declined: 'halted: the card was declined, its retries spent',
  monthly_cap: 'halted: this month\'s most is charged',
};

/** The auto top-up rule in a sentence, or that there is none. */
function ruleText(rule) {
  if (rule.threshold === null) {
    return 'None';
  }
  const currency = rule.currency;
  const charge = rule.target !== null ? 'top up to ' + money(rule.target, currency)
    : 'top up by ' + money(rule.amount, currency);
  return 'Below ' + money(rule.threshold, currency) + ' available, ' + charge + ', at most '
      + money(rule.max_per_month, currency) + ' a month; '
      + money(rule.charged_this_month, currency) + ' charged this month'
      + (rule.halted ? ' (' + (HALTED_TEXT[rule.halted] || rule.halted) + ')' : '') + '.';
}

/**
 * The prepaid balance (GET /balance), what running sessions reserve of it, and the auto top-up
 * rule; the top-up form to the owner where Stripe is enabled (the top-up is a Checkout).
 */
function showBalance(balance, rule, plans) {
  if (balance === null) {
    return;
  }
  const currency = balance.currency;
  byId('balance-balance').textContent = money(balance.balance, currency);
  byId('balance-reserved').textContent = money(balance.reserved, currency);
  byId('balance-available').textContent = money(balance.available, currency);
  byId('balance-rule').textContent = rule === null ? '—' : ruleText(rule);
  byId('top-up-currency').textContent = currency;
  const stripe = plans !== null && plans.stripe_enabled;
  byId('top-up-form').hidden = !(view.owner && stripe);
  byId('top-up-note').textContent = !view.owner
    ? 'Topping up is the organization\'s owner\'s.'
    : stripe ? 'You pay it through Stripe Checkout; once paid, it is on the balance.'
      : 'Payments through Stripe are not enabled here: ask an administrator to grant money '
        + 'onto the balance.';
}

/**
 * A top-up through Stripe Checkout, as the plan's and the packs' buttons pay: the amount in the
 * organization's currency, one Idempotency-Key per submission (a double click has one effect).
 */
byId('top-up-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = byId('top-up-amount');
  const text = input.value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) {
    say('error', 'Topping up failed: enter the amount as a number, such as 25 or 25.50.');
    input.focus();
    return;
  }
  const button = byId('top-up');
  button.disabled = true;
  const here = location.origin + location.pathname;
  try {
    const checkout = await api(BILLING + '/create-checkout', {
      method: 'POST',
      idempotencyKey: newKey(),
      body: bodyInOrg({
        top_up: { amount: Number(text), currency: byId('top-up-currency').textContent },
        success_url: here, cancel_url: here,
      }),
    });
    location.assign(checkout.checkout_url);
  } catch (error) {
    if (error instanceof ApiError && error.status === 423) {
      showLocked(error.message);
    }
    announceError('Topping up failed', error);
    button.disabled = false;
    input.focus();
  }
});

function showPacks(catalog) {
  const holder = clear(byId('packs'));
  if (catalog === null) {
    return;
  }
  holder.append(table('packs-table', 'Packs you can buy, prices in ' + catalog.currency,
      [{ text: 'Pack' }, { text: 'Adds' }, { text: 'Kind' }, { text: 'Price', num: true },
        { text: 'Buy' }],
      catalog.packs.map((p) => [
        p.name,
        (p.added || Object.entries(p.adds).map(([meter, amount]) => ({ meter, amount })))
            .map(addsText).join(', '),
        p.kind === 'recurring' ? 'Every period' : 'Once, for ' + p.valid_days + ' days',
        { text: money(p.price, catalog.currency), num: true },
        buyButton(p),
      ]), 'No packs on sale in your currency.'));
}

function buyButton(pack) {
  const button = el('button', {
    id: 'pack-buy-' + pack.id, type: 'button', text: 'Buy',
    'aria-label': 'Buy ' + pack.name,
  });
  button.addEventListener('click', async () => {
    button.disabled = true;
    if (await act('/packs/' + encodeURIComponent(pack.id) + '/purchase', 'POST', {},
        'Buying ' + pack.name)) {
      await load();
      say('success', 'Bought ' + pack.name + ': it is billed on your next invoice.');
    } else {
      button.disabled = false;
    }
  });
  return button;
}

function showPurchases(page) {
  const holder = clear(byId('purchases'));
  if (page === null) {
    return;
  }
  holder.append(table('purchases-table', 'Packs you bought, newest first',
      [{ text: 'Pack' }, { text: 'Bought' }, { text: 'Price', num: true },
        { text: 'Valid until' }, { text: 'Status' }],
      page.purchases.map((p) => [
        p.pack_name,
        day(p.purchased_at),
        { text: money(p.price, p.currency), num: true },
        p.valid_until ? day(p.valid_until) : 'Until cancelled',
        p.cancelled_at ? 'Cancelled' : (p.active ? 'Active' : 'Ended'),
      ]), 'No purchases yet.'));
}

/**
 * The read-only lock's banner: why (the plugin's sentence, when known) and what to do; paying is
 * the owner's, so the others read who can.
 */
function showLocked(why) {
  if (byId('banner-locked')) {
    return;
  }
  byId('banners').append(banner('banner-locked', 'danger', 'Account locked (read-only).',
      (why ? why + ' ' : '') + ownerOr('Pay the overdue invoice (or ask an administrator to '
      + 'unlock the account): until then plan changes and purchases are refused.',
      'Ask the organization\'s owner to pay the overdue invoice: until then plan changes and '
      + 'purchases are refused.')));
}

/**
 * The banners: what needs doing, each with what to do next, by role (ownerOr): a pack, a plan,
 * an overage confirmation, a spending limit and a payment are the owner's; an admin or a member
 * reads who can act.
 */
function showBanners(quota, plans, spending, invoices, payments) {
  const banners = byId('banners');
  const plan = ownerOr('your plan', 'the organization\'s plan');
  for (const m of quota.meters) {
    const name = meterName(m.meter, m.name);
    if (m.state === 'warning') {
      banners.append(banner('banner-warning-' + m.meter, 'warning',
          name + ': limit approaching (' + quantity(m.percent) + '%).',
          ownerOr('Buy a capacity pack or switch to a larger plan before you reach it.',
              'Ask the organization\'s owner for a capacity pack or a larger plan before it is '
              + 'reached.')));
    } else if (m.state === 'exceeded' && m.kind === 'hard') {
      banners.append(banner('banner-exceeded-' + m.meter, 'danger',
          name + ': limit reached.',
          ownerOr('New sessions are refused: end some, buy a capacity pack or switch plans.',
              'New sessions are refused: end some, or ask the organization\'s owner for a '
              + 'capacity pack or a larger plan.')));
    } else if (m.state === 'exceeded') {
      // a soft limit reached: the use goes on and what passes it is billed (its overage
      // confirmed where that is asked), so this is news, not an alarm
      banners.append(banner('banner-exceeded-' + m.meter, 'warning',
          name + (atLimit(m) ? ': at what ' + plan + ' includes, more is billed as overage.'
            : ': past what ' + plan + ' includes, billed as overage.'),
          ownerOr('Buy a capacity pack or switch to a larger plan to pay less for it.',
              'Ask the organization\'s owner for a capacity pack or a larger plan to pay less '
              + 'for it.')));
    } else if (m.state === 'confirmation_required') {
      banners.append(banner('banner-overage-' + m.meter, 'warning',
          name + ownerOr(': overage needs your confirmation.',
              ': overage needs the owner\'s confirmation.'),
          ownerOr('Confirm the overage under Quotas to keep going (it is billed), or switch '
              + 'plans.', 'Ask the organization\'s owner to confirm the overage (it is billed) '
              + 'or to switch plans: until then new sessions are refused.')));
    }
  }
  const resume = ownerOr('buy a capacity pack or switch plans',
      'ask the organization\'s owner for a capacity pack or a larger plan');
  if (quota.suspended) {
    banners.append(banner('banner-suspended', 'danger',
        ownerOr('Your sessions are suspended: the account is over a hard limit.',
            'The organization\'s sessions are suspended: it is over a hard limit.'),
        'Free up resources, or ' + resume + ', to resume.'));
  } else if (quota.suspends_at) {
    banners.append(banner('banner-suspends', 'danger',
        'Over a hard limit: sessions will be suspended at ' + instant(quota.suspends_at) + '.',
        'Free up resources, or ' + resume + ', before then.'));
  }
  if (spending && spending.state === 'reached') {
    banners.append(banner('banner-spending', spending.blocked ? 'danger' : 'warning',
        ownerOr('Your spending limit is reached.', 'The spending limit is reached.'),
        spending.blocked
          ? ownerOr('Sessions are held: raise or remove the limit to resume.',
              'Sessions are held until the organization\'s owner raises or removes the limit.')
          : ownerOr('Raise the limit, or expect the estimate to pass it.',
              'Ask the organization\'s owner to raise the limit, or expect the estimate to pass '
              + 'it.')));
  }
  // the payments are read by the owner only: no other role sees this banner
  const latest = payments && payments.payments[0];
  if (latest && latest.status === 'failed') {
    banners.append(banner('banner-payment-failed', 'danger',
        'Your last payment failed'
        + (latest.failure_reason ? ': ' + latest.failure_reason.replace(/\.$/, '') : '') + '.',
        'Update your payment method (Customer Portal) so the invoice can be paid.'));
  }
  if (plans && plans.locked) {
    showLocked(plans.locked);
  } else if (invoices && invoices.invoices.some((i) => i.status === 'overdue')) {
    banners.append(banner('banner-overdue', 'warning', 'An invoice is overdue.',
        ownerOr('Pay it soon: an account that leaves it unpaid is locked read-only.',
            'Ask the organization\'s owner to pay it soon: an account that leaves it unpaid is '
            + 'locked read-only.')));
  }
}

const COLORS = ['#0b57d0', '#b3261e', '#1a7f37', '#8a5300', '#6a1b9a', '#00695c', '#4a525c'];

/**
 * Readies a chart's canvas: answers true when there is data to draw and the chart library
 * loaded; else hides the canvas (no chart, not even empty axes) and says why instead. A chart
 * drawn before (another organization) is removed either way.
 */
function chartOrNote(statusId, canvasId, hasData) {
  const status = byId(statusId);
  const canvas = byId(canvasId);
  const library = typeof window.Chart === 'function';
  const existing = library ? window.Chart.getChart(canvas) : undefined;
  if (existing) {
    existing.destroy();
  }
  if (!hasData || !library) {
    status.textContent = hasData ? 'The chart could not be drawn.' : 'No data yet.';
    canvas.hidden = true;
    return false;
  }
  status.textContent = '';
  canvas.hidden = false;
  return true;
}

function showUsageChart(daily) {
  const days = daily ? daily.days : [];
  // the route answers every day of the range, a day without usage with no resource: a cost of
  // zero everywhere is nothing to draw (a chart would show empty axes)
  const hasData = days.some((d) => d.resources.some((r) => Number(r.cost) !== 0));
  if (!chartOrNote('usage-chart-status', 'usage-chart', hasData)) {
    return;
  }
  const resources = [...new Set(days.flatMap((d) => d.resources.map((r) => r.resource_type)))];
  const datasets = resources.map((type, i) => ({
    label: type,
    backgroundColor: COLORS[i % COLORS.length],
    data: days.map((d) => Number((d.resources.find((r) => r.resource_type === type) || {})
        .cost || 0)),
  }));
  new window.Chart(byId('usage-chart'), {
    type: 'bar',
    data: { labels: days.map((d) => d.date), datasets },
    options: {
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, title: { display: true,
        text: 'Cost (' + daily.currency + ')' } } },
    },
  });
}

function showCostChart(monthly) {
  const months = monthly ? monthly.months : [];
  // every period of the range is answered, one without an invoice with invoiced null, and the
  // current one with its estimate: nothing invoiced and an estimate of zero is nothing to draw
  const hasData = months.some((m) => (m.invoiced !== null && Number(m.invoiced) !== 0)
      || (m.estimate !== null && Number(m.estimate) !== 0));
  if (!chartOrNote('cost-chart-status', 'cost-chart', hasData)) {
    return;
  }
  new window.Chart(byId('cost-chart'), {
    type: 'bar',
    data: {
      labels: months.map((m) => day(m.period_start)),
      datasets: [
        { label: 'Invoiced', backgroundColor: COLORS[0],
          data: months.map((m) => (m.invoiced === null ? null : Number(m.invoiced))) },
        { label: 'Estimate', backgroundColor: COLORS[3],
          data: months.map((m) => (m.estimate === null ? null : Number(m.estimate))) },
      ],
    },
    options: {
      animation: false,
      scales: { y: { title: { display: true, text: 'Cost (' + monthly.currency + ')' } } },
    },
  });
}

byId('portal').addEventListener('click', async () => {
  const portal = await act('/portal', 'POST',
      { return_url: location.origin + location.pathname }, 'Opening the Customer Portal');
  if (portal) {
    location.assign(portal.portal_url);
  }
});

const signOut = setUpSignIn(load);
