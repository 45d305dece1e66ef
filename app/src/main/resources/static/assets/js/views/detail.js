// One trade: its figures, price history chart with entry/exit/bracket lines, audit trail and raw events.
import { api, query } from '../api.js';
import { h, setText, field } from '../dom.js';
import { money, pnl, pnlClass, instrument, statusText, dateTime, time, integer } from '../format.js';
import { tradeActions } from '../actions.js';
import { lineChart, legend } from '../chart.js';
import { clearFieldErrors, explain, formAlert, notify, showAlert, showProblem } from '../ui.js';

export const title = 'Trade';

const FACTS = [
  ['side', 'Side', (t) => (t.side === 'BUY' ? 'Buy' : 'Sell')],
  ['quantity', 'Filled / quantity', (t) => `${t.filledQuantity} / ${t.quantity}`],
  ['orderType', 'Order', (t) => (t.orderType === 'LIMIT' ? `Limit ${money(t.limitPrice)}` : 'Market')],
  ['entryPrice', 'Entry', (t) => money(t.entryPrice)],
  ['exitPrice', 'Exit', (t) => money(t.exitPrice)],
  ['lastPrice', 'Last', (t) => money(t.lastPrice)],
  ['unrealizedPnl', 'Unrealized P&L', (t) => pnl(t.unrealizedPnl), (t) => pnlClass(t.unrealizedPnl)],
  ['realizedPnl', 'Realized P&L', (t) => pnl(t.realizedPnl), (t) => pnlClass(t.realizedPnl)],
  ['mfe', 'MFE (best)', (t) => pnl(t.mfe)],
  ['mae', 'MAE (worst)', (t) => pnl(t.mae)],
  ['stopLoss', 'Stop loss', (t) => money(t.stopLoss)],
  ['takeProfit', 'Take profit', (t) => money(t.takeProfit)],
  ['closeReason', 'Close reason', (t) => t.closeReason ?? '—'],
  ['strategy', 'Strategy', (t) => t.strategy ?? '—'],
  ['broker', 'Broker / order', (t) => `${t.broker ?? '—'}${t.brokerOrderId ? ` #${t.brokerOrderId}` : ''}`],
  ['createdAt', 'Placed', (t) => dateTime(t.createdAt)],
  ['openedAt', 'Opened', (t) => dateTime(t.openedAt)],
  ['closedAt', 'Ended', (t) => dateTime(t.closedAt)],
  ['version', 'Version', (t) => integer(t.version)],
  ['tradeId', 'Trade id', (t) => t.tradeId],
];

export function render(main, ctx, id) {
  const { store } = ctx;
  let trade = store.get(id) || null;
  let shownVersion = null;
  let snapshotsTimer = null;
  let lastSnapshotsLoad = 0;
  let gone = false;

  const heading = h('h1', {}, 'Trade');
  const badge = h('span', { class: 'badge', id: 'trade-status' });
  const problem = h('p', { class: 'warning', hidden: true });
  const facts = {};
  const factList = h('dl', { class: 'facts', id: 'trade-facts' },
    FACTS.map(([k, label]) => h('div', {}, h('dt', {}, label), facts[k] = h('dd', { dataset: { fact: k } }, '—'))));
  const notesText = h('p', { class: 'notes', id: 'trade-notes' });
  const actionsSlot = h('div', { class: 'detail-actions' });
  let actions = null;

  const chartBox = h('div', { class: 'chart-box', id: 'price-chart' }, h('p', { class: 'empty' }, 'Loading the price history…'));
  const chartNote = h('p', { class: 'hint', id: 'price-chart-note' });
  const trailBody = h('tbody');
  const trail = h('table', { class: 'data', id: 'audit-trail' },
    h('caption', { class: 'visually-hidden' }, 'Audit trail: every status change with its reason and actor'),
    h('thead', {}, h('tr', {}, ['When', 'From', 'To', 'Reason', 'Actor', 'Version'].map((t) => h('th', { scope: 'col' }, t)))),
    trailBody);
  const eventsPre = h('pre', { class: 'raw', id: 'raw-events', tabindex: '0' }, 'Open to load.');
  const eventsBox = h('details', { id: 'raw-events-box' }, h('summary', {}, 'Raw event stream (for the curious)'), eventsPre);

  const noteInput = h('textarea', { name: 'text', rows: '2', maxlength: '2000' });
  const noteSave = h('button', { type: 'submit', class: 'secondary' }, 'Add note');
  const noteForm = h('form', { class: 'stack', novalidate: true },
    field('Note', noteInput, { name: 'text', hint: 'Added on a new line below the trade’s notes; up to 2000 characters.' }).wrap, formAlert(),
    h('div', { class: 'buttons' }, noteSave));

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/positions' }, '← Positions'), ' · ', h('a', { href: '#/portfolio' }, 'History')),
    h('div', { class: 'title-row' }, heading, badge),
    problem,
    actionsSlot,
    factList,
    h('section', { 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, 'Price history'), chartBox, chartNote),
    h('section', { 'aria-labelledby': 'trail-title' }, h('h2', { id: 'trail-title' }, 'Audit trail'), h('div', { class: 'table-wrap' }, trail)),
    h('section', { 'aria-labelledby': 'notes-title' }, h('h2', { id: 'notes-title' }, 'Notes'), notesText, noteForm),
    h('section', { 'aria-labelledby': 'raw-title' }, h('h2', { id: 'raw-title' }, 'Events'), eventsBox),
  );

  function show(t) {
    trade = t;
    setText(heading, `${t.side === 'BUY' ? 'Buy' : 'Sell'} ${t.quantity} ${instrument(t)}`);
    document.title = `${instrument(t)} — Paper trading`;
    setText(badge, statusText(t.status), `badge status-${t.status.toLowerCase()}`);
    badge.dataset.status = t.status;
    for (const [k, , fmt, cls] of FACTS) setText(facts[k], fmt(t), cls ? cls(t) : undefined);
    setText(notesText, t.notes || 'No notes yet.');
    const brokerProblem = t.tradeContext?.brokerProblem;
    const canceling = t.tradeContext?.cancelRequestedAt && ['PENDING', 'PARTIALLY_FILLED'].includes(t.status);
    problem.hidden = !brokerProblem && !canceling;
    setText(problem, [brokerProblem ? `The broker reports a problem: ${brokerProblem}` : '',
      canceling ? 'Cancel requested: waiting for the broker to confirm it.' : ''].filter(Boolean).join(' '));
    if (!actions) {
      actions = tradeActions(store, () => trade);
      actionsSlot.append(actions.el);
    }
    actions.update(t);
  }

  async function loadTrade() {
    try {
      const t = await api(`/api/trades/${encodeURIComponent(id)}`);
      store.putTrade(t);
      if (!trade || Number(t.version) >= Number(trade.version)) show(t);
    } catch (error) {
      if (error.status === 404) {
        gone = true;
        main.replaceChildren(h('h1', { tabindex: '-1' }, 'Trade not found'),
          h('p', {}, 'There is no such trade among yours. ', h('a', { href: '#/positions' }, 'Back to positions')));
      } else {
        showAlert(explain(error));
      }
      throw error;
    }
  }

  async function loadTrail() {
    const transitions = await api(`/api/trades/${encodeURIComponent(id)}/transitions`);
    trailBody.replaceChildren(...transitions.map((x) => h('tr', { dataset: { to: x.to } },
      h('td', {}, dateTime(x.occurredAt)),
      h('td', {}, x.from ? statusText(x.from) : '—'),
      h('td', {}, statusText(x.to)),
      h('td', {}, x.reason ?? ''),
      h('td', { class: 'actor' }, x.actor ?? ''),
      h('td', { class: 'num' }, integer(x.version)))));
  }

  async function loadSnapshots() {
    lastSnapshotsLoad = Date.now();
    const snaps = await api(`/api/trades/${encodeURIComponent(id)}/snapshots${query({ limit: 500 })}`);
    const t = trade;
    const points = snaps.map((s) => ({ x: Date.parse(s.at), y: Number(s.mark ?? s.last ?? s.bid) }))
      .filter((p) => Number.isFinite(p.y));
    const lines = [];
    if (t?.entryPrice !== null && t?.entryPrice !== undefined) lines.push({ key: 'entry', label: 'Entry', cls: 'line-entry', y: Number(t.entryPrice) });
    if (t?.exitPrice !== null && t?.exitPrice !== undefined) lines.push({ key: 'exit', label: 'Exit', cls: 'line-exit', y: Number(t.exitPrice) });
    if (t?.stopLoss !== null && t?.stopLoss !== undefined) lines.push({ key: 'stop', label: 'Stop', cls: 'line-stop', y: Number(t.stopLoss) });
    if (t?.takeProfit !== null && t?.takeProfit !== undefined) lines.push({ key: 'target', label: 'Target', cls: 'line-target', y: Number(t.takeProfit) });
    const name = t ? instrument(t) : 'the trade';
    const first = points[0];
    const last = points[points.length - 1];
    const desc = points.length
      ? `${points.length} prices from ${dateTime(snaps[0].at)} to ${dateTime(snaps[snaps.length - 1].at)}, first ${money(first.y)}, last ${money(last.y)}. `
        + lines.map((l) => `${l.label} at ${money(l.y)}`).join(', ')
      : 'No prices observed yet.';
    chartBox.replaceChildren(
      lineChart({
        title: `Price history of ${name}`, desc, className: 'price-chart',
        series: [{ label: 'price', cls: 'series-price', points }], lines,
        formatX: (x) => time(new Date(x).toISOString()), formatY: (y) => money(y),
      }),
      legend([{ label: 'Mark price', cls: 'series-price' }, ...lines.map((l) => ({ label: `${l.label} ${money(l.y)}`, cls: l.cls }))]),
    );
    setText(chartNote, desc);
  }

  async function loadEvents() {
    const events = await api(`/api/trades/${encodeURIComponent(id)}/events`);
    eventsPre.textContent = JSON.stringify(events, null, 2);
  }

  eventsBox.addEventListener('toggle', () => {
    if (eventsBox.open) loadEvents().catch((e) => { eventsPre.textContent = explain(e); });
  });

  noteForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(noteForm);
    noteSave.disabled = true;
    const version = trade?.version;
    try {
      const ack = await api(`/api/trades/${encodeURIComponent(id)}/notes`, {
        method: 'POST', body: { text: noteInput.value }, headers: version ? { 'If-Match': `"${version}"` } : {},
      });
      noteInput.value = '';
      notify('Note saved.');
      await store.reloadTrade(id, ack.version).catch(() => null);
    } catch (error) {
      showProblem(noteForm, error, { version });
      if (error.code === 'VERSION_CONFLICT') store.reloadTrade(id).catch(() => null);
    } finally {
      noteSave.disabled = false;
    }
  });

  /** New version: the trail, the chart's lines and the events change; a price mark: the chart only. */
  function changed(t) {
    if (gone) return;
    show(t);
    if (t.version !== shownVersion) {
      shownVersion = t.version;
      loadTrail().catch(() => null);
      if (eventsBox.open) loadEvents().catch(() => null);
      loadSnapshots().catch(() => null);
    } else {
      scheduleSnapshots();
    }
  }

  function scheduleSnapshots() {
    if (snapshotsTimer) return;
    const wait = Math.max(0, 2000 - (Date.now() - lastSnapshotsLoad));
    snapshotsTimer = setTimeout(() => {
      snapshotsTimer = null;
      loadSnapshots().catch(() => null);
    }, wait);
  }

  if (trade) show(trade);
  loadTrade().then(() => {
    shownVersion = trade.version;
    return Promise.all([loadTrail(), loadSnapshots()]);
  }).catch(() => null);

  const unsubscribe = store.subscribe((kind, t) => {
    if (kind === 'trade' && t.tradeId === id && shownVersion !== null) changed(t);
    if (kind === 'refresh' && shownVersion !== null && !gone) {
      // polling or a fresh stream: read this trade too (it may not be live any more)
      loadTrade().catch(() => null);
    }
  });
  return () => {
    unsubscribe();
    clearTimeout(snapshotsTimer);
  };
}
