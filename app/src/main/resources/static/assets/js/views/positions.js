// Open positions, updated in place from the store (stream or polling): no reloads, focus stays put.
import { h, setText } from '../dom.js';
import { money, pnl, pnlClass, instrument, statusText, dateTime } from '../format.js';
import { tradeActions } from '../actions.js';

export const title = 'Positions';

export function render(main, ctx) {
  const { store } = ctx;
  const rows = new Map();
  let endedSignature = '';
  const totals = {};
  const body = h('tbody');
  const empty = h('p', { class: 'empty', id: 'no-positions' }, 'Loading…');
  const table = h('table', { class: 'data', id: 'positions' },
    h('caption', { class: 'visually-hidden' }, 'Open positions: live prices and P&L'),
    h('thead', {}, h('tr', {}, ['Instrument', 'Side', 'Filled / qty', 'Entry', 'Last', 'Unrealized P&L', 'MFE', 'MAE',
      'Stop / target', 'Status', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    body);
  const endedBody = h('tbody');
  const ended = h('section', { 'aria-labelledby': 'ended-title', id: 'ended', hidden: true },
    h('h2', { id: 'ended-title' }, 'Ended since you signed in'),
    h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ['Instrument', 'Side', 'Qty', 'Entry', 'Exit', 'Realized P&L', 'Status', 'Ended'].map((t) => h('th', { scope: 'col' }, t)))),
      endedBody));

  const strip = h('dl', { class: 'totals', id: 'position-totals' },
    [['open', 'Open trades'], ['unrealized', 'Unrealized P&L'], ['realized', 'Realized P&L']].map(([k, label]) =>
      h('div', {}, h('dt', {}, label), totals[k] = h('dd', {}, '—'))));

  main.append(
    h('h1', {}, 'Open positions'),
    strip,
    h('div', { class: 'table-wrap' }, table),
    empty,
    ended,
  );

  function makeRow(trade) {
    let current = trade;
    const cells = {};
    const link = h('a', { href: `#/trades/${trade.tradeId}` });
    const actions = tradeActions(store, () => current);
    const tr = h('tr', { id: `trade-${trade.tradeId}`, dataset: { tradeId: trade.tradeId } },
      h('th', { scope: 'row' }, link),
      ['side', 'fill', 'entry', 'last', 'unrealized', 'mfe', 'mae', 'brackets', 'status'].map((k) => cells[k] = h('td', { dataset: { col: k } })),
      h('td', {}, actions.el));
    function update(t) {
      current = t;
      tr.dataset.status = t.status;
      setText(link, instrument(t));
      setText(cells.side, t.side === 'BUY' ? 'Buy' : 'Sell');
      setText(cells.fill, `${t.filledQuantity} / ${t.quantity}`, 'num');
      setText(cells.entry, money(t.entryPrice ?? t.limitPrice) + (t.entryPrice === null && t.limitPrice !== null ? ' limit' : ''), 'num');
      setText(cells.last, money(t.lastPrice), 'num');
      setText(cells.unrealized, pnl(t.unrealizedPnl), `num ${pnlClass(t.unrealizedPnl)}`.trim());
      setText(cells.mfe, pnl(t.mfe), 'num');
      setText(cells.mae, pnl(t.mae), 'num');
      setText(cells.brackets, `${money(t.stopLoss)} / ${money(t.takeProfit)}`, 'num');
      const problem = t.tradeContext?.brokerProblem;
      setText(cells.status, statusText(t.status) + (problem ? ` — broker: ${problem}` : ''), `status-cell status-${t.status.toLowerCase()}`);
      actions.update(t);
    }
    update(trade);
    return { tr, update };
  }

  function endedRow(t) {
    return h('tr', { dataset: { tradeId: t.tradeId, status: t.status } },
      h('th', { scope: 'row' }, h('a', { href: `#/trades/${t.tradeId}` }, instrument(t))),
      h('td', {}, t.side === 'BUY' ? 'Buy' : 'Sell'),
      h('td', { class: 'num' }, String(t.filledQuantity || t.quantity)),
      h('td', { class: 'num' }, money(t.entryPrice)),
      h('td', { class: 'num' }, money(t.exitPrice)),
      h('td', { class: `num ${pnlClass(t.realizedPnl)}` }, pnl(t.realizedPnl)),
      h('td', {}, statusText(t.status) + (t.closeReason ? ` (${t.closeReason.toLowerCase().replace('_', ' ')})` : '')),
      h('td', {}, dateTime(t.closedAt ?? t.updatedAt)));
  }

  function sync() {
    const active = store.active();
    const keep = new Set(active.map((t) => t.tradeId));
    for (const [id, row] of rows) {
      if (!keep.has(id)) {
        // keep keyboard focus on the page when the focused row goes away
        if (row.tr.contains(document.activeElement)) main.querySelector('h1')?.focus();
        row.tr.remove();
        rows.delete(id);
      }
    }
    let previous = null;
    for (const t of active) {
      let row = rows.get(t.tradeId);
      if (!row) {
        row = makeRow(t);
        rows.set(t.tradeId, row);
      } else {
        row.update(t);
      }
      const expectedNext = previous ? previous.nextSibling : body.firstChild;
      if (expectedNext !== row.tr) body.insertBefore(row.tr, expectedNext);
      previous = row.tr;
    }
    table.hidden = active.length === 0;
    empty.hidden = active.length > 0;
    if (active.length === 0) {
      empty.replaceChildren(store.loaded ? 'No open positions. ' : 'Loading…',
        store.loaded ? h('a', { href: '#/trade' }, 'Enter a trade') : '');
    }
    const done = store.endedThisSession();
    ended.hidden = done.length === 0;
    const signature = done.map((t) => `${t.tradeId}@${t.version}`).join(',');
    if (signature !== endedSignature) {
      endedSignature = signature;
      endedBody.replaceChildren(...done.map(endedRow));
    }
    const p = store.portfolio;
    setText(totals.open, p ? String(p.openTrades) : '—');
    setText(totals.unrealized, p ? pnl(p.unrealizedPnl) : '—', p ? pnlClass(p.unrealizedPnl) : '');
    setText(totals.realized, p ? pnl(p.realizedPnl) : '—', p ? pnlClass(p.realizedPnl) : '');
  }

  sync();
  return store.subscribe(() => sync());
}
