// The theme store: the catalog (GET /store/items), each item with its creator, version, sale
// model, price and its preview image (GET /store/items/{id}/preview), for any signed-in user.
import {
  BILLING, announce, announceError, api, byId, clear, el, priceText, saleText, setUpSignIn,
  showItemPreview, signedOutIfRefused,
} from './common.js';

const PAGE_SIZE = 24;
const catalog = { offset: 0, nextOffset: null };

async function load() {
  announce('');
  let page;
  try {
    page = await api(BILLING + '/store/items?limit=' + PAGE_SIZE + '&offset=' + catalog.offset);
  } catch (error) {
    if (!signedOutIfRefused(error, signOut)) {
      announceError('Could not read the store', error);
    }
    return;
  }
  byId('signed-in-as').textContent = 'Signed in';
  catalog.nextOffset = page.next_offset;
  const list = clear(byId('catalog'));
  list.append(...page.items.map(itemCard));
  byId('catalog-empty').hidden = page.items.length > 0;
  byId('catalog-prev').disabled = catalog.offset === 0;
  byId('catalog-next').disabled = page.next_offset === null || page.next_offset === undefined;
  byId('catalog-page').textContent = page.items.length === 0 ? ''
      : 'Themes ' + (catalog.offset + 1) + '–' + (catalog.offset + page.items.length);
  page.items.forEach(showPreview);
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
 * The actions an item offers its viewer. None yet: buying is not on this page (the hook where a
 * Buy button goes, in the item's div#store-item-actions-{id}).
 */
function itemActions() {
  return null;
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

const signOut = setUpSignIn(load);
