// The admin page's store section: the versions waiting for review, each approved, rejected or
// its item delisted for a reason (POST /admin/store/items/{id}/approve|reject|delist with
// {"reason"}), which the audit trail keeps; a rejection's reason is shown to its creator.
import {
  BILLING, announce, announceError, api, byId, clear, el, instant, newKey, priceText, saleText,
  showItemPreview, table,
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
    announce('Give a reason to ' + action.action + ' ' + what
        + ': the audit trail keeps it, and a rejection\'s is shown to its creator.');
    return;
  }
  reason.removeAttribute('aria-invalid');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await api(BILLING + '/admin/store/items/' + encodeURIComponent(item.id) + '/' + action.action,
        { method: 'POST', body: { reason: text }, idempotencyKey: newKey() });
    announce(what + ' ' + action.done + '.');
    await loadStoreQueue();
  } catch (error) {
    announceError('Could not ' + action.action + ' ' + what, error);
    buttons.forEach((b) => { b.disabled = false; });
  }
}
