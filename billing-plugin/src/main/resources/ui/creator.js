// A creator's page: submit a theme bundle (POST /store/items, the zip as application/zip),
// read a refused bundle's report (422: every rule broken, with its file), and follow each
// version of each item (GET /creator/items): its status and, when rejected, the admin's reason.
import {
  ApiError, BILLING, announce, announceError, api, byId, clear, el, instant, newKey, priceText,
  saleText, setUpSignIn, signedOutIfRefused, table,
} from './common.js';

/** A version's status in words (a colour only adds to them). */
const STATUS_TEXT = {
  pending_review: 'Waiting for review',
  approved: 'Approved',
  rejected: 'Rejected',
};

async function load() {
  announce('');
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
