// The sidebar widget: an organization's quick stats (GET /summary) in a platform's sidebar,
// which frames it (docs/connecting-your-platform.md). It only reads: no click in it acts on
// anything but opening the full page, so a page framing it can trick no one into an action.
import {
  BILLING, announceError, api, byId, clear, el, meterName, meterStateClass, meterStateText,
  money, progressBar, quantity, setUpSignIn, signedOutIfRefused, withUnit,
} from './common.js';

/**
 * The organization the widget reads: the org_id of its address, which the server wrote into the
 * page; empty for the caller's personal organization, as /summary reads it without one.
 */
const orgId = byId('content').dataset.orgId;

/** The summary's status in words, and how it is marked (a colour only adds to the words). */
const STATUS = {
  ok: { text: 'Within its limits.', mark: 'state-ok' },
  warning: { text: 'Nearing a limit.', mark: 'state-warning' },
  confirmation_required: {
    text: 'An overage awaits the owner\'s confirmation.', mark: 'state-warning',
  },
  exceeded: { text: 'A limit is reached.', mark: 'state-exceeded' },
  account_locked: { text: 'Locked (read-only): an invoice is overdue.', mark: 'state-exceeded' },
  account_suspended: { text: 'Sessions suspended: over a hard limit.', mark: 'state-exceeded' },
  spending_limit_reached: {
    text: 'Spending limit reached: new sessions are refused.', mark: 'state-exceeded',
  },
};

async function load() {
  const content = byId('content');
  delete content.dataset.loadedOrg;
  let summary;
  try {
    summary = await api(BILLING + '/summary'
        + (orgId ? '?org_id=' + encodeURIComponent(orgId) : ''));
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read the billing summary', error);
    }
    return;
  }
  show(summary);
  // all drawn: what a test waits for
  content.dataset.loadedOrg = summary.org_id;
}

function show(summary) {
  byId('widget-plan').textContent = 'Plan: ' + summary.plan_name;
  const meters = clear(byId('widget-meters'));
  for (const m of summary.meters) {
    meters.append(meter(m));
  }
  if (summary.meters.length === 0) {
    meters.append(el('p', { class: 'note', text: 'No limited meter.' }));
  }
  byId('widget-cost').textContent = summary.cost_so_far === null
    ? 'Costs: the organization\'s owner and admins see them.'
    : 'Cost so far this period: ' + money(summary.cost_so_far, summary.currency);
  const status = STATUS[summary.status] || { text: summary.status, mark: '' };
  const line = byId('widget-status');
  line.textContent = status.text;
  line.className = 'widget-status ' + status.mark;
}

/** One meter near its limit: its name, use of the limit, a bar and its state in words. */
function meter(m) {
  const name = meterName(m.meter, m.name);
  const of = quantity(m.used) + ' of ' + withUnit(m.limit, m.unit);
  const stateText = meterStateText(m);
  return el('div', { id: 'widget-meter-' + m.meter, class: 'meter' },
      el('div', { class: 'meter-head' }, el('span', { text: name }), el('span', { text: of })),
      progressBar('widget-bar-' + m.meter, name + ' used against its limit', Number(m.used),
          Number(m.limit), m.state, of + (stateText ? ', ' + stateText : '')),
      stateText ? el('p', { class: 'widget-state ' + meterStateClass(m), text: stateText }) : null);
}

const signOut = setUpSignIn(load);
