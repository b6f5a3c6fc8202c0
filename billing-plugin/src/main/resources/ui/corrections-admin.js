// The admin page's corrections section: usage set right (POST /admin/corrections). The admin
// writes the reason and the items as the route takes them (cancel an accepted event, amend a
// session's sizes or a report's quantity, backfill lost events); Preview answers the money per
// organization and invoice with nothing changed (?preview=true), Apply records the correction
// under an Idempotency-Key kept until the items change, so a double click applies it once.
import {
  BILLING, announceError, api, byId, clear, el, money, newKey, say, table,
} from './common.js';

/** The key the next Apply sends: the same until the form changes, so a retry acts once. */
let applyKey = newKey();

/** The body the form describes; throws an Error naming what is wrong with the items. */
function correctionBody() {
  let items;
  try {
    items = JSON.parse(byId('correction-items').value);
  } catch (error) {
    throw new Error('the items are not JSON: ' + error.message);
  }
  return { reason: byId('correction-reason').value.trim(), items };
}

/** What it does (or would do) to each invoice, signed: more, less, or not invoiced yet. */
function showEffect(answer, caption) {
  clear(byId('correction-result')).append(
      table('correction-effect', caption,
          [{ text: 'Organization' }, { text: 'Invoice' }, { text: 'Where it goes' },
            { text: 'Before', num: true }, { text: 'After', num: true },
            { text: 'Difference', num: true }],
          answer.invoices.map((i) => [i.org_id, i.invoice_number || 'not invoiced yet',
            i.outcome.replaceAll('_', ' '),
            { text: money(i.before, i.currency), num: true },
            { text: money(i.after, i.currency), num: true },
            { text: money(i.difference, i.currency), num: true }]),
          'It changes no invoice.'));
}

async function send(preview, button) {
  let body;
  try {
    body = correctionBody();
  } catch (error) {
    say('error', 'The correction was not sent: ' + error.message);
    return;
  }
  button.disabled = true;
  try {
    const answer = await api(BILLING + '/admin/corrections' + (preview ? '?preview=true' : ''),
        preview ? { method: 'POST', body } : { method: 'POST', body, idempotencyKey: applyKey });
    showEffect(answer, preview ? 'What applying it would do: nothing is changed yet'
      : 'Correction ' + answer.id + ', applied');
    say('success', preview ? 'Previewed: nothing was changed.'
      : 'Correction ' + answer.id + ' applied: its organizations see it on their page.');
  } catch (error) {
    announceError(preview ? 'The preview failed' : 'The correction failed', error);
  } finally {
    button.disabled = false;
  }
}

/** Wires the section's form. */
export function setUpCorrections() {
  byId('correction-form').addEventListener('submit', (event) => {
    event.preventDefault();
    send(true, byId('correction-preview'));
  });
  byId('correction-apply').addEventListener('click', () => send(false, byId('correction-apply')));
  for (const id of ['correction-reason', 'correction-items']) {
    byId(id).addEventListener('input', () => {
      applyKey = newKey();
    });
  }
}
