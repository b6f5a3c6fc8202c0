// The admin page's store section: the versions waiting for review, each approved, rejected or
// its item delisted for a reason (POST /admin/store/items/{id}/approve|reject|delist with
// {"reason"}), which the audit trail keeps; a rejection's reason is shown to its creator. And
// the store's money: a month's revenue by creator, popular items and packs (GET
// /admin/store/revenue), and the creators' payouts (GET /admin/store/payouts).
import {
  BILLING, announceError, api, byId, clear, el, instant, money, newKey, payoutStatus,
  priceText, saleText, say, showItemPreview, table,
} from './common.js';

const QUEUE_PAGE = 50;

/** What each action does, said in its outcome. */
const ACTIONS = [
  { action: 'approve', text: 'Approve', done: 'approved: the catalog lists it at this version' },
  { action: 'reject', text: 'Reject', done: 'rejected: its creator reads your reason' },
  { action: 'delist', text: 'Delist', done: 'delisted: it leaves the catalog and takes no new version' },
];

/** Shows the queue, oldest first (GET /admin/store/queue). */
export async function loadStoreQueue() {
  const holder = clear(byId('store-queue'));
  let queue;
  try {
    queue = await api(BILLING + '/admin/store/queue?limit=' + QUEUE_PAGE);
  } catch (error) {
    announceError('Could not read the store\'s queue', error);
    return;
  }
  holder.append(table('store-queue-table',
      'Versions waiting for review, oldest first (the first ' + QUEUE_PAGE + ')',
      [{ text: 'Item' }, { text: 'Preview' }, { text: 'Creator' }, { text: 'Version' },
        { text: 'Sale' }, { text: 'Price' }, { text: 'Submitted' }, { text: 'Review' }],
      queue.items.map((item) => [item.name, previewCell(item), item.creator_id, item.version,
        saleText(item), priceText(item), instant(item.submitted_at), reviewCell(item)]),
      'No version waits for review.'));
}

/** The version's preview image (GET /admin/store/items/{id}/preview), read once drawn. */
function previewCell(item) {
  const holder = el('div', { id: 'review-preview-' + item.id, class: 'review-preview' },
      el('p', { class: 'note', text: 'Loading the preview…' }));
  showItemPreview(holder, BILLING + '/admin/store/items/' + encodeURIComponent(item.id)
      + '/preview', item.name + ' ' + item.version);
  return holder;
}

/** A reason field and the three actions of a queued version. */
function reviewCell(item) {
  const what = item.name + ' ' + item.version;
  const reasonId = 'review-reason-' + item.id;
  const reason = el('input', { id: reasonId, type: 'text', autocomplete: 'off', required: true });
  const buttons = ACTIONS.map((a) => el('button', {
    id: 'review-' + a.action + '-' + item.id, type: 'button',
    class: a.action === 'approve' ? null : 'secondary', text: a.text,
    'aria-label': a.text + ' ' + what,
  }));
  ACTIONS.forEach((a, i) => buttons[i].addEventListener('click',
      () => review(item, a, reason, buttons)));
  return el('div', { class: 'review-actions' },
      el('label', { for: reasonId, text: 'Reason for ' + what }), reason, buttons);
}

async function review(item, action, reason, buttons) {
  const what = item.name + ' ' + item.version;
  const text = reason.value.trim();
  if (text === '') {
    reason.setAttribute('aria-invalid', 'true');
    reason.focus();
    say('error', 'Give a reason to ' + action.action + ' ' + what
        + ': the audit trail keeps it, and a rejection\'s is shown to its creator.');
    return;
  }
  reason.removeAttribute('aria-invalid');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await api(BILLING + '/admin/store/items/' + encodeURIComponent(item.id) + '/' + action.action,
        { method: 'POST', body: { reason: text }, idempotencyKey: newKey() });
    say('success', what + ' ' + action.done + '.');
    await loadStoreQueue();
  } catch (error) {
    announceError('Could not ' + action.action + ' ' + what, error);
    buttons.forEach((b) => { b.disabled = false; });
  }
}

const PAYOUTS_PAGE = 50;

/**
 * The store's month in the picker (the current month in the billing time zone when it is empty:
 * the server's, not this browser's): revenue by creator, popular items and packs.
 */
export async function loadStoreRevenue() {
  const picked = byId('store-revenue-period').value;
  let revenue;
  try {
    revenue = await api(BILLING + '/admin/store/revenue' + (picked ? '?period=' + picked : ''));
  } catch (error) {
    announceError('Could not read the store\'s revenue', error);
    return;
  }
  const month = revenue.period;
  byId('store-revenue-period').value = month;
  const amount = (value, currency) => ({ text: money(value, currency), num: true });
  clear(byId('store-revenue')).append(
      table('store-revenue-by-creator', 'Revenue by creator in ' + month,
          [{ text: 'Creator' }, { text: 'Currency' }, { text: 'Sales', num: true },
            { text: 'Platform share', num: true }, { text: 'Creator share', num: true }],
          revenue.by_creator.map((r) => [r.creator_id, r.currency, amount(r.gross, r.currency),
            amount(r.platform_share, r.currency), amount(r.creator_share, r.currency)]),
          'No store sale in ' + month + '.'),
      table('store-popular-items', 'Popular items in ' + month + ', most bought first',
          [{ text: 'Item' }, { text: 'Creator' }, { text: 'Currency' },
            { text: 'Purchases', num: true }, { text: 'Sales', num: true }],
          revenue.popular_items.map((i) => [i.name, i.creator_id, i.currency,
            { text: String(i.purchases), num: true }, amount(i.gross, i.currency)]),
          'No item was bought in ' + month + '.'),
      table('store-popular-packs', 'Capacity packs bought in ' + month + ', most first',
          [{ text: 'Pack' }, { text: 'Purchases', num: true }],
          revenue.popular_packs.map((p) => [p.name || p.pack_id,
            { text: String(p.purchases), num: true }]),
          'No capacity pack was bought in ' + month + '.'));
}

/** The creators' payouts (the first page), each with its status in words and last error. */
export async function loadStorePayouts() {
  let page;
  try {
    page = await api(BILLING + '/admin/store/payouts?limit=' + PAYOUTS_PAGE);
  } catch (error) {
    announceError('Could not read the creators\' payouts', error);
    return;
  }
  clear(byId('store-payouts')).append(table('store-payouts-table',
      'Creator payouts (the first ' + PAYOUTS_PAGE + ')',
      [{ text: 'Creator' }, { text: 'Month' }, { text: 'Amount', num: true }, { text: 'Status' },
        { text: 'Attempts', num: true }, { text: 'Last error' }, { text: 'Next attempt' },
        { text: 'Paid' }],
      page.payouts.map((p) => [p.creator_id, p.period,
        { text: money(p.amount, p.currency), num: true }, payoutStatus(p),
        { text: String(p.attempts), num: true }, p.last_error || '—',
        instant(p.next_attempt_at), p.paid_at ? instant(p.paid_at) : '—']),
      'No payout yet: a month is paid out once it has ended.'));
}

byId('store-revenue-form').addEventListener('submit', (event) => {
  event.preventDefault();
  loadStoreRevenue();
});
