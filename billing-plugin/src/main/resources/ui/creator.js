// A creator's page: submit a theme bundle (POST /store/items, the zip as application/zip),
// read a refused bundle's report (422: every rule broken, with its file), and follow each
// version of each item (GET /creator/items): its status and, when rejected, the admin's reason;
// the monthly statements (GET /creator/statements, also as CSV and PDF), the payout account
// (PUT /creator/payout-account) and the payouts (GET /creator/payouts).
import {
  ApiError, BILLING, announceError, api, byId, clear, clearMessage, download, el, instant, money,
  newKey, payoutStatus, priceText, saleText, say, setUpSignIn, signedOutIfRefused, table,
} from './common.js';

/** A version's status in words (a colour only adds to them). */
const STATUS_TEXT = {
  pending_review: 'Waiting for review',
  approved: 'Approved',
  rejected: 'Rejected',
};

async function load() {
  clearMessage();
  byId('creators-only').hidden = true;
  byId('creator-view').hidden = true;
  let mine;
  try {
    mine = await api(BILLING + '/creator/items');
  } catch (error) {
    if (signedOutIfRefused(error, signOut)) {
      return;
    }
    if (error instanceof ApiError && error.status === 403) {
      byId('signed-in-as').textContent = 'Signed in without the creator role';
      byId('creators-only').hidden = false;
    } else {
      announceError('Could not read your items', error);
    }
    return;
  }
  byId('signed-in-as').textContent = 'Signed in as ' + mine.creator_id;
  byId('creator-view').hidden = false;
  showItems(mine.items);
  await loadStatements();
}

function showItems(items) {
  clear(byId('creator-items')).append(table('creator-items-table',
      'Every version of your items, newest first',
      [{ text: 'Item' }, { text: 'Version' }, { text: 'Status' }, { text: 'Sale' },
        { text: 'Price' }, { text: 'Submitted' }, { text: 'Reviewed' }, { text: 'Admin\'s reason' }],
      items.map((v) => [v.name, v.version, statusCell(v), saleText(v), priceText(v),
        instant(v.submitted_at), instant(v.reviewed_at), reasonText(v)]),
      'You have not submitted a theme yet.'));
}

function statusCell(v) {
  return el('span', { id: 'version-status-' + v.version_id, class: 'status-' + v.status,
    text: (STATUS_TEXT[v.status] || v.status) + (v.delisted_at ? ' (item delisted)' : '') });
}

function reasonText(v) {
  const reasons = [];
  if (v.reject_reason) {
    reasons.push(v.reject_reason);
  }
  if (v.delisted_at) {
    reasons.push('Delisted on ' + instant(v.delisted_at) + ': ' + v.delist_reason);
  }
  return reasons.length === 0 ? '—' : reasons.join(' ');
}

/** A refused bundle's report: every rule broken, each with its file and what is wrong. */
function showRefusal(error) {
  const violations = (error.body && error.body.violations) || [];
  // a rule may be broken in several files: the sentence counts rules, the table every finding
  const rules = new Set(violations.map((v) => v.rule)).size;
  clear(byId('bundle-report')).append(
      el('p', { id: 'bundle-refused', class: 'refused',
        text: 'The bundle was refused: it breaks ' + rules + ' rule' + (rules === 1 ? '' : 's')
            + '. Nothing was kept; fix them all and submit it again.' }),
      table('bundle-violations', 'What the store found in the bundle',
          [{ text: 'Rule' }, { text: 'File' }, { text: 'What is wrong' }],
          violations.map((v) => [v.rule, v.file || '(the bundle as a whole)', v.detail]),
          'No detail was given.'),
      el('p', { class: 'note', text: 'Each rule is described in the store\'s guide for '
          + 'creators (Store bundles).' }));
}

/** A statement line's kind in words. */
const LINE_KIND_TEXT = {
  sale: 'Sale', refund: 'Refund', chargeback: 'Chargeback', payout: 'Payout',
  adjustment: 'Adjustment',
};

/**
 * The statements of the month in the picker (the current month in the billing time zone when it
 * is empty: the server's month, not this browser's), and the payouts.
 */
async function loadStatements() {
  const picked = byId('statement-period').value;
  let answer;
  try {
    [answer] = await Promise.all([
      api(BILLING + '/creator/statements' + (picked ? '?period=' + picked : '')), loadPayouts()]);
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read your statements', error);
    }
    return;
  }
  byId('statement-period').value = answer.period;
  const holder = clear(byId('statements'));
  if (answer.statements.length === 0) {
    holder.append(el('p', { id: 'statement-none', class: 'empty',
      text: 'Nothing in ' + answer.period + ': no sale, no refund and no balance brought in.' }));
  }
  for (const s of answer.statements) {
    holder.append(statement(answer, s));
  }
}

/** One currency's statement: its lines, then its totals. */
function statement(answer, s) {
  const c = s.currency;
  const amount = (value) => ({ text: money(value, c), num: true });
  return el('div', { id: 'statement-' + c, class: 'statement' },
      el('h3', { text: answer.period + ' in ' + c + ' (' + answer.time_zone + ')' }),
      table('statement-lines-' + c, 'Lines of ' + answer.period + ' in ' + c,
          [{ text: 'Kind' }, { text: 'Reference' }, { text: 'At' }, { text: 'Gross', num: true },
            { text: 'Platform share', num: true }, { text: 'Your share', num: true },
            { text: 'Tier' }],
          s.lines.map((l) => [LINE_KIND_TEXT[l.kind] || l.kind, l.reference, instant(l.at),
            amount(l.gross), amount(l.platform_share), amount(l.creator_share), l.tier || '—']),
          'No sale or refund this month: only a balance brought in.'),
      table('statement-totals-' + c, 'Totals of ' + answer.period + ' in ' + c,
          [{ text: 'Figure' }, { text: 'Amount', num: true }],
          [['Sales', amount(s.sales_gross)], ['Refunds', amount(s.refunds_gross)],
            ['Platform share', amount(s.platform_share)], ['Your share', amount(s.creator_share)],
            ['Tier reached', s.tier_reached || 'none'],
            ['Opening balance', amount(s.opening_balance)],
            ['Closing balance', amount(s.closing_balance)], ['Payout', amount(s.payout)],
            ['Carried forward', amount(s.carried_forward)]], ''));
}

/** The payouts, newest month first, each with its status in words, tries and last error. */
async function loadPayouts() {
  const answer = await api(BILLING + '/creator/payouts');
  clear(byId('payouts')).append(table('payouts-table', 'Your payouts, newest month first',
      [{ text: 'Month' }, { text: 'Amount', num: true }, { text: 'Status' },
        { text: 'Attempts', num: true }, { text: 'Last error' }, { text: 'Next attempt' },
        { text: 'Paid' }],
      answer.payouts.map((p) => [p.period, { text: money(p.amount, p.currency), num: true },
        payoutStatus(p), { text: String(p.attempts), num: true }, p.last_error || '—',
        instant(p.next_attempt_at), p.paid_at ? instant(p.paid_at) + ', transfer '
          + p.stripe_transfer_id : '—']),
      'No payout yet: a month is paid out once it has ended.'));
}

/** Downloads the month's statement as CSV or PDF, fetched with the token. */
async function downloadStatement(format) {
  const period = byId('statement-period').value;
  if (!period) {
    say('warning', 'Choose a month to download its statement.');
    return;
  }
  try {
    await download(BILLING + '/creator/statements?period=' + period + '&format=' + format,
        'statement-' + period + '.' + format);
  } catch (error) {
    announceError('Downloading the ' + period + ' statement failed', error);
  }
}

byId('statement-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadStatements();
});
byId('statement-csv').addEventListener('click', () => downloadStatement('csv'));
byId('statement-pdf').addEventListener('click', () => downloadStatement('pdf'));

byId('payout-account-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const field = byId('payout-account');
  const button = byId('payout-account-save');
  button.disabled = true;
  try {
    const saved = await api(BILLING + '/creator/payout-account', { method: 'PUT',
      body: { stripe_account: field.value.trim() }, idempotencyKey: newKey() });
    field.removeAttribute('aria-invalid');
    say('success', 'Your payouts go to ' + saved.stripe_account + ' from now on.');
    await loadPayouts();
  } catch (error) {
    if (error instanceof ApiError && error.field === 'stripe_account') {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Saving the payout account failed', error);
    }
  } finally {
    button.disabled = false;
  }
});

let submitting = false;

byId('bundle-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = byId('bundle-file').files[0];
  if (submitting || !file) {
    return;
  }
  submitting = true;
  byId('bundle-submit').disabled = true;
  clear(byId('bundle-report'));
  try {
    const item = await api(BILLING + '/store/items', { method: 'POST', file,
      fileType: 'application/zip', idempotencyKey: newKey() });
    byId('bundle-report').append(el('p', { id: 'bundle-accepted',
      text: item.name + ' ' + item.version + ' passed the checks and waits for review.' }));
    byId('bundle-form').reset();
    await load();
  } catch (error) {
    if (error instanceof ApiError && error.code === 'bundle_refused') {
      showRefusal(error);
    } else if (!signedOutIfRefused(error, signOut)) {
      announceError('Submitting the bundle failed', error);
    }
  } finally {
    submitting = false;
    byId('bundle-submit').disabled = false;
  }
});

const signOut = setUpSignIn(load);
