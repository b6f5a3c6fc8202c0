// The admin page's subscription analytics (GET /admin/analytics): MRR and its movements per
// month, a chart per currency (amounts of two currencies never share an axis), the same figures
// as a table, which is the chart's text alternative, each figure's formula, the cohorts'
// conversion, and what is owed by age, all as of the answer's as_of.
import { BILLING, announceError, api, byId, clear, el, money, table } from './common.js';

const MOVEMENTS = [
  ['mrr', 'MRR'], ['new_mrr', 'New'], ['expansion_mrr', 'Expansion'],
  ['contraction_mrr', 'Contraction'], ['churned_mrr', 'Churned'],
  ['reactivation_mrr', 'Reactivation'],
];
const RATES = [
  ['logo_churn_rate', 'Logo churn'], ['revenue_churn_rate', 'Revenue churn'],
  ['conversion_rate', 'Free → paid'],
];
const AGES = { not_due: 'not due', '1_30': '1–30 days late', '31_60': '31–60 days late',
  '61_90': '61–90 days late', over_90: 'over 90 days late' };

/** A rate as a percent with two decimals, or a dash when there was nothing to divide by. */
function percent(rate) {
  return rate === null ? '—' : (Number(rate) * 100).toFixed(2) + ' %';
}

/** Shows the last twelve months' figures. */
export async function loadAnalytics() {
  let answer;
  try {
    answer = await api(BILLING + '/admin/analytics');
  } catch (error) {
    announceError('Could not read the analytics', error);
    return;
  }
  showMrrCharts(answer.months);
  clear(byId('analytics-figures')).append(table('analytics-table',
      'MRR and its movements by month (' + answer.from + ' to ' + answer.to + ', as of '
          + answer.as_of + ')',
      [{ text: 'Month' }, { text: 'Currency' },
        ...MOVEMENTS.map(([, text]) => ({ text, num: true })),
        ...RATES.map(([, text]) => ({ text, num: true })), { text: 'ARPA', num: true }],
      answer.months.map((m) => [m.month, m.currency,
        ...MOVEMENTS.map(([key]) => ({ text: money(m[key], m.currency), num: true })),
        ...RATES.map(([key]) => ({ text: percent(m[key]), num: true })),
        { text: m.arpa === null ? '—' : money(m.arpa, m.currency), num: true }]),
      'No organization in these months.'));
  const definitions = el('dl', { id: 'analytics-definitions', class: 'facts' });
  for (const [key, formula] of Object.entries(answer.definitions)) {
    definitions.append(el('dt', { text: key }), el('dd', { text: formula }));
  }
  clear(byId('analytics-definitions-holder')).append(definitions);
  clear(byId('analytics-cohorts')).append(table('analytics-cohorts-table',
      'Cohorts: organizations opened each month, as they stand now',
      [{ text: 'Opened' }, { text: 'Currency' }, { text: 'Organizations', num: true },
        { text: 'Ever paid', num: true }, { text: 'Free → paid', num: true },
        { text: 'Moved up a tier', num: true }, { text: 'Upgrade rate', num: true }],
      answer.cohorts.map((c) => [c.cohort, c.currency, { text: c.organizations, num: true },
        { text: c.converted, num: true }, { text: percent(c.conversion_rate), num: true },
        { text: c.upgraded, num: true }, { text: percent(c.upgrade_rate), num: true }]),
      'No organization opened in these months.'));
  clear(byId('analytics-receivables')).append(table('analytics-receivables-table',
      'Owed, by days past due',
      [{ text: 'Currency' }, { text: 'Age' }, { text: 'Invoices', num: true },
        { text: 'Total', num: true }],
      answer.receivables.map((r) => [r.currency, AGES[r.bucket] || r.bucket,
        { text: r.invoices, num: true }, { text: money(r.total, r.currency), num: true }]),
      'Nothing is owed.'));
}

/** One line chart of MRR per currency; the table below holds every figure. */
function showMrrCharts(months) {
  const holder = clear(byId('mrr-chart'));
  const status = byId('mrr-chart-status');
  status.textContent = months.length === 0 ? 'No data yet.'
      : typeof window.Chart === 'function' ? '' : 'The chart could not be drawn.';
  if (status.textContent !== '') {
    return;
  }
  for (const currency of [...new Set(months.map((m) => m.currency))]) {
    const mine = months.filter((m) => m.currency === currency);
    const canvas = el('canvas', { id: 'mrr-chart-' + currency, role: 'img',
      'aria-label': 'MRR by month in ' + currency + ' (the table below has the figures)' });
    holder.append(canvas);
    new window.Chart(canvas, {
      type: 'line',
      data: {
        labels: mine.map((m) => m.month),
        datasets: [{ label: 'MRR', borderColor: '#0b57d0', data: mine.map((m) => Number(m.mrr)) }],
      },
      options: { animation: false,
        scales: { y: { title: { display: true, text: 'MRR (' + currency + ')' } } } },
    });
  }
}
