// The theme store: the catalog (GET /store/items), each item with its creator, version, sale
// model, price and its preview image (GET /store/items/{id}/preview), for any signed-in user;
// a Buy button for an organization the caller owns (POST /store/items/{id}/purchase, paid on its
// next invoice), and the themes the caller's organizations may apply (GET /entitlements).
import {
  ApiError, BILLING, announceError, api, byId, clear, clearMessage, day, el, money, newKey,
  priceText, saleText, say, setUpSignIn, showItemPreview, signedOutIfRefused, table,
} from './common.js';

const PAGE_SIZE = 24;
const catalog = { offset: 0, nextOffset: null, items: [] };

/**
 * Who buys: the organizations the caller owns (GET /organizations, role owner), the one chosen
 * (the personal one first), every organization's name by id, and what each may apply now.
 */
const buyer = { owned: [], chosen: null, names: {}, entitlements: [] };

async function load() {
  clearMessage();
  let page;
  try {
    [page] = await Promise.all([
      api(BILLING + '/store/items?limit=' + PAGE_SIZE + '&offset=' + catalog.offset),
      loadBuyer(),
    ]);
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read the store', error);
    }
    return;
  }
  catalog.nextOffset = page.next_offset;
  catalog.items = page.items;
  const list = clear(byId('catalog'));
  list.append(...page.items.map(itemCard));
  byId('catalog-empty').hidden = page.items.length > 0;
  byId('catalog-prev').disabled = catalog.offset === 0;
  byId('catalog-next').disabled = page.next_offset === null || page.next_offset === undefined;
  byId('catalog-page').textContent = page.items.length === 0 ? ''
      : 'Themes ' + (catalog.offset + 1) + '–' + (catalog.offset + page.items.length);
  page.items.forEach(showPreview);
}

/** The caller's organizations, the ones they may buy for, and their themes. */
async function loadBuyer() {
  const [listing, entitled] = await Promise.all([
    api(BILLING + '/organizations'), api(BILLING + '/entitlements')]);
  byId('signed-in-as').textContent = 'Signed in as ' + listing.user_id;
  buyer.names = Object.fromEntries(listing.organizations.map((o) => [o.org_id, o]));
  buyer.owned = listing.organizations.filter((o) => o.role === 'owner');
  const kept = buyer.chosen && buyer.owned.find((o) => o.org_id === buyer.chosen.org_id);
  buyer.chosen = kept || buyer.owned.find((o) => o.personal) || buyer.owned[0] || null;
  buyer.entitlements = entitled.entitlements;
  showBuyerChoice();
  showThemes();
}

/** A select of the organizations the caller owns, when there is more than one. */
function showBuyerChoice() {
  const select = clear(byId('buy-org'));
  select.append(...buyer.owned.map((o) => el('option', { value: o.org_id,
    selected: buyer.chosen !== null && o.org_id === buyer.chosen.org_id, text: orgText(o) })));
  byId('buy-org-choice').hidden = buyer.owned.length < 2;
  const chosen = buyer.chosen;
  byId('buy-org-note').textContent = chosen === null
    ? 'Only an organization\'s owner buys themes for it: you own none, so you can only look.'
    : chosen.currency === null ? 'Your organization has no billing account yet: nothing can be '
        + 'bought for it until it has one.'
      : 'You buy for ' + orgText(chosen) + ', in ' + chosen.currency
        + ': a purchase is a line of its next invoice.';
}

function orgText(org) {
  if (org.personal) {
    return 'your personal organization';
  }
  return !org.name || org.name === org.org_id ? org.org_id : org.name + ' (' + org.org_id + ')';
}

/** Every theme the caller's organizations may apply now, and until when. */
function showThemes() {
  clear(byId('themes')).append(table('themes-table',
      'Themes your organizations may apply now',
      [{ text: 'Theme' }, { text: 'Version' }, { text: 'Organization' }, { text: 'Until' }],
      buyer.entitlements.map((e) => [e.item_name, e.version,
        buyer.names[e.org_id] ? orgText(buyer.names[e.org_id]) : e.org_id, untilText(e)]),
      'None of your organizations has a theme yet.'));
}

function untilText(entitlement) {
  return entitlement.until === null ? 'for good' : day(entitlement.until);
}

/** An item: its facts, a place for its preview, and its actions (itemActions). */
function itemCard(item) {
  const headingId = 'store-item-name-' + item.id;
  return el('li', { id: 'store-item-' + item.id, class: 'store-item',
    'aria-labelledby': headingId },
  el('h3', { id: headingId, text: item.name }),
  el('figure', { id: 'store-item-preview-' + item.id, class: 'store-preview' },
      el('p', { class: 'note', text: 'Loading the preview…' })),
  el('dl', { class: 'facts' },
      el('dt', { text: 'Creator' }), el('dd', { class: 'item-creator', text: item.creator_id }),
      el('dt', { text: 'Version' }), el('dd', { class: 'item-version', text: item.version }),
      el('dt', { text: 'Sale' }), el('dd', { class: 'item-sale', text: saleText(item) }),
      el('dt', { text: 'Price' }), el('dd', { class: 'item-price', text: priceText(item) })),
  el('div', { id: 'store-item-actions-' + item.id, class: 'store-item-actions' },
      itemActions(item)));
}

/**
 * What an item offers the chosen organization: "Owned" when it has the item for good; else a
 * Buy button with the price in its currency (a time-limited access it has says until when, and
 * buying again extends it); nothing to buy for one who owns no organization.
 */
function itemActions(item) {
  const org = buyer.chosen;
  if (org === null || org.currency === null) {
    return null;
  }
  const entitled = buyer.entitlements.find((e) => e.org_id === org.org_id && e.item_id === item.id);
  if (entitled && entitled.until === null) {
    return el('p', { id: 'store-item-owned-' + item.id, class: 'owned', text: 'Owned' });
  }
  const held = entitled ? el('p', { id: 'store-item-owned-' + item.id, class: 'owned',
    text: 'Yours until ' + day(entitled.until) }) : null;
  const free = item.sale_kind === 'free';
  const price = (item.price || {})[org.currency];
  if (!free && (price === undefined || price === null)) {
    return [held, el('p', { class: 'note', text: 'Not sold in ' + org.currency + '.' })];
  }
  const what = entitled
    ? 'Buy ' + item.sale_days + ' more day' + (item.sale_days === 1 ? '' : 's') : 'Buy';
  const text = free ? 'Get it free'
    : what + ' for ' + money(price, org.currency) + ', added to the next invoice';
  // the accessible name starts with the words shown, then says which theme and for whom
  const button = el('button', { id: 'store-item-buy-' + item.id, type: 'button', text,
    'aria-label': text + ': ' + item.name + ', for ' + orgText(org) });
  button.addEventListener('click', () => buy(item, org, button));
  return [held, button];
}

/** Buys the item for the organization, once however often the button is pressed. */
async function buy(item, org, button) {
  button.disabled = true;
  try {
    const bought = await api(BILLING + '/store/items/' + encodeURIComponent(item.id) + '/purchase',
        { method: 'POST', body: org.personal ? {} : { org_id: org.org_id },
          idempotencyKey: newKey() });
    const p = bought.purchase;
    say('success', item.name + ' bought for ' + orgText(org) + ': '
        + (p.pay === 'free' ? 'free' : money(p.price, p.currency) + ' on the next invoice')
        + (bought.entitlement && bought.entitlement.until
          ? ', yours until ' + day(bought.entitlement.until) : ', yours for good') + '.');
  } catch (error) {
    button.disabled = false;
    if (signedOutIfRefused(error, signOut)) {
      return;
    }
    announceError('Could not buy ' + item.name, error);
    if (!(error instanceof ApiError && error.code === 'already_owned')) {
      return;
    }
  }
  await refreshBuyer();
}

/** Reads the organizations and themes again, and draws each item's actions for them. */
async function refreshBuyer() {
  try {
    await loadBuyer();
    showActions();
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read your themes', error);
    }
  }
}

/** Draws every listed item's actions again (another organization chosen, a purchase made). */
function showActions() {
  for (const item of catalog.items) {
    clear(byId('store-item-actions-' + item.id)).append(...[itemActions(item)].flat()
        .filter((node) => node !== null));
  }
}

/** The item's preview image, as its bundle shows it. */
function showPreview(item) {
  return showItemPreview(byId('store-item-preview-' + item.id),
      BILLING + '/store/items/' + item.id + '/preview', item.name);
}

byId('catalog-next').addEventListener('click', () => {
  if (catalog.nextOffset !== null && catalog.nextOffset !== undefined) {
    catalog.offset = catalog.nextOffset;
    load();
  }
});
byId('catalog-prev').addEventListener('click', () => {
  catalog.offset = Math.max(0, catalog.offset - PAGE_SIZE);
  load();
});

byId('buy-org').addEventListener('change', (event) => {
  buyer.chosen = buyer.owned.find((o) => o.org_id === event.target.value) || buyer.chosen;
  showBuyerChoice();
  showActions();
});

const signOut = setUpSignIn(load);
