// Portfolio: figures (live or as of a past time), per-strategy table, equity curve, filtered trade history.
import { api, query } from '../api.js';
import { h, setText, field } from '../dom.js';
import { money, pnl, pnlClass, percent, fixed, instrument, statusText, dateTime, ALL_STATUSES, ACTIVE } from '../format.js';
import { lineChart, legend } from '../chart.js';
import { clearFieldErrors, explain, formAlert, showAlert, showProblem } from '../ui.js';

export const title = 'Portfolio';

const PAGE_SIZE = 25;

const FIGURES = [
  ['openTrades', 'Open trades', (p) => String(p.openTrades)],
  ['closedTrades', 'Closed trades', (p) => String(p.closedTrades)],
  ['wins', 'Wins / losses', (p) => `${p.wins} / ${p.losses}`],
  ['realizedPnl', 'Realized P&L', (p) => pnl(p.realizedPnl), (p) => pnlClass(p.realizedPnl)],
  ['unrealizedPnl', 'Unrealized P&L', (p) => pnl(p.unrealizedPnl), (p) => pnlClass(p.unrealizedPnl)],
  ['winRate', 'Win rate', (p) => percent(p.winRate)],
  ['expectancy', 'Expectancy (per closed trade)', (p) => pnl(p.expectancy), (p) => pnlClass(p.expectancy)],
  ['profitFactor', 'Profit factor', (p) => (p.profitFactor === null ? (p.wins > 0 ? 'no losses' : '—') : fixed(p.profitFactor, 2))],
];

function toLocalInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function render(main, ctx) {
  const { store } = ctx;
  let asOf = null;
  let filters = { status: [], symbol: '', strategy: '', from: '', to: '' };
  let page = 0;
  let total = 0;
  let reloadTimer = null;
  const historyRows = new Map();
  const statuses = new Map([...store.trades.values()].map((t) => [t.tradeId, t.status]));

  // --- as of
  const asOfInput = h('input', { type: 'datetime-local', name: 'asOf', step: '1' });
  const asOfForm = h('form', { class: 'inline-form', id: 'asof-form', novalidate: true },
    field('Figures as of (your local time)', asOfInput, { name: 'asOf', hint: 'Rebuilt from the events as they stood then. Leave empty for now.' }).wrap,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'secondary' }, 'Show as of'),
      h('button', { type: 'button', class: 'secondary', id: 'asof-live', onClick: () => { asOfInput.value = ''; setAsOf(null); } }, 'Back to live')),
    formAlert());
  const figuresTitle = h('h2', { id: 'figures-title' }, 'Figures');
  const figures = {};
  const figureList = h('dl', { class: 'totals wide', id: 'portfolio-figures' },
    FIGURES.map(([k, label]) => h('div', {}, h('dt', {}, label), figures[k] = h('dd', { dataset: { figure: k } }, '—'))));
  const strategyBody = h('tbody');
  const strategyTable = h('table', { class: 'data', id: 'strategies' },
    h('caption', {}, 'Per strategy'),
    h('thead', {}, h('tr', {}, ['Strategy', 'Closed', 'Open', 'Wins', 'Losses', 'Win rate', 'Expectancy', 'Profit factor', 'Realized P&L', 'Unrealized P&L']
      .map((t) => h('th', { scope: 'col' }, t)))),
    strategyBody);

  // --- filters (history and equity curve)
  const statusBoxes = ALL_STATUSES.map((s) => {
    const id = `filter-status-${s.toLowerCase()}`;
    return h('span', { class: 'choice' }, h('input', { type: 'checkbox', name: 'status', value: s, id }), h('label', { for: id }, statusText(s)));
  });
  const statusError = h('p', { class: 'field-error', id: 'filter-status-error', dataset: { errorFor: 'status' } });
  const symbolInput = h('input', { name: 'symbol', class: 'short', autocomplete: 'off', maxlength: '10' });
  const strategyInput = h('input', { name: 'strategy', autocomplete: 'off', maxlength: '64' });
  const fromInput = h('input', { name: 'from', type: 'date' });
  const toInput = h('input', { name: 'to', type: 'date' });
  const filterForm = h('form', { class: 'stack', id: 'history-filters', novalidate: true },
    h('fieldset', { class: 'radios', 'aria-describedby': statusError.id }, h('legend', {}, 'Status (none ticked: all)'), statusBoxes, statusError),
    h('div', { class: 'row' },
      field('Symbol', symbolInput, { name: 'symbol' }).wrap,
      field('Strategy', strategyInput, { name: 'strategy' }).wrap,
      field('From (placed on or after)', fromInput, { name: 'from' }).wrap,
      field('To (placed on or before)', toInput, { name: 'to' }).wrap),
    formAlert(),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('button', { type: 'reset', class: 'secondary' }, 'Clear filters')));

  const curveBox = h('div', { class: 'chart-box', id: 'equity-curve' }, h('p', { class: 'empty' }, 'Loading…'));
  const curveTableBody = h('tbody');
  const curveDetails = h('details', {}, h('summary', {}, 'Equity curve as a table'),
    h('table', { class: 'data' }, h('thead', {}, h('tr', {}, ['Date', 'Closed trades', 'P&L that day', 'Cumulative P&L'].map((t) => h('th', { scope: 'col' }, t)))), curveTableBody));

  const historyBody = h('tbody');
  const historyTable = h('table', { class: 'data', id: 'history' },
    h('caption', { class: 'visually-hidden' }, 'Trade history, newest first'),
    h('thead', {}, h('tr', {}, ['Placed', 'Instrument', 'Side', 'Qty', 'Entry', 'Exit', 'P&L', 'Status', 'Strategy']
      .map((t) => h('th', { scope: 'col' }, t)))),
    historyBody);
  const pageInfo = h('p', { class: 'hint', id: 'history-page', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'secondary small', onClick: () => { page -= 1; loadHistory(); } }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary small', onClick: () => { page += 1; loadHistory(); } }, 'Next page');

  main.append(
    h('h1', {}, 'Portfolio'),
    h('section', { 'aria-labelledby': 'figures-title' }, figuresTitle, asOfForm, figureList, h('div', { class: 'table-wrap' }, strategyTable)),
    h('section', { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History'),
      filterForm,
      h('h3', {}, 'Equity curve (realized P&L by day, New York dates)'), curveBox, curveDetails,
      h('h3', {}, 'Trades'),
      h('div', { class: 'table-wrap' }, historyTable), pageInfo, h('div', { class: 'buttons' }, prev, next)),
  );

  function showFigures(p) {
    setText(figuresTitle, p.asOf ? `Figures as of ${dateTime(p.asOf)}` : 'Figures (live)');
    for (const [k, , fmt, cls] of FIGURES) setText(figures[k], fmt(p), cls ? cls(p) : undefined);
    strategyBody.replaceChildren(...(p.byStrategy.length ? p.byStrategy.map((s) => h('tr', {},
      h('th', { scope: 'row' }, s.strategy ?? '(none)'),
      h('td', { class: 'num' }, String(s.trades)),
      h('td', { class: 'num' }, String(s.openTrades)),
      h('td', { class: 'num' }, String(s.wins)),
      h('td', { class: 'num' }, String(s.losses)),
      h('td', { class: 'num' }, percent(s.winRate)),
      h('td', { class: `num ${pnlClass(s.expectancy)}` }, pnl(s.expectancy)),
      h('td', { class: 'num' }, s.profitFactor === null ? (s.wins > 0 ? 'no losses' : '—') : fixed(s.profitFactor, 2)),
      h('td', { class: `num ${pnlClass(s.realizedPnl)}` }, pnl(s.realizedPnl)),
      h('td', { class: `num ${pnlClass(s.unrealizedPnl)}` }, pnl(s.unrealizedPnl))))
      : [h('tr', {}, h('td', { colspan: '10' }, 'No trades yet.'))]));
  }

  async function loadFigures() {
    try {
      const p = await api(`/api/portfolio${query({ asOf })}`);
      showFigures(p);
    } catch (error) {
      showProblem(asOfForm, error);
    }
  }

  function setAsOf(value) {
    asOf = value;
    clearFieldErrors(asOfForm);
    if (!asOf && store.portfolio) showFigures(store.portfolio);
    loadFigures();
  }

  asOfForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!asOfInput.value) {
      setAsOf(null);
      return;
    }
    const d = new Date(asOfInput.value);
    if (Number.isNaN(d.getTime())) {
      showProblem(asOfForm, { errors: [{ field: 'asOf', message: 'a date and time' }], problem: {} });
      return;
    }
    setAsOf(d.toISOString());
  });

  async function loadCurve() {
    try {
      const points = await api(`/api/analytics/equity-curve${query({ from: filters.from, to: filters.to })}`);
      const series = points.map((p) => ({ x: Date.parse(`${p.date}T12:00:00Z`), y: Number(p.cumulativePnl) }));
      const last = points[points.length - 1];
      if (points.length === 0) {
        curveBox.replaceChildren(h('p', { class: 'empty' }, 'No closed trades in this range yet.'));
        curveTableBody.replaceChildren();
        return;
      }
      curveBox.replaceChildren(lineChart({
        title: 'Equity curve', className: 'equity-chart',
        desc: `${points.length} days from ${points[0].date} to ${last.date}; cumulative realized P&L ${pnl(last.cumulativePnl)}.`,
        series: [{ label: 'cumulative', cls: 'series-equity', points: series }],
        lines: [{ key: 'zero', label: 'Zero', cls: 'line-zero', y: 0 }],
        formatX: (x) => new Date(x).toISOString().slice(0, 10), formatY: (y) => pnl(y),
      }), legend([{ label: 'Cumulative realized P&L', cls: 'series-equity' }]));
      curveTableBody.replaceChildren(...points.map((p) => h('tr', {},
        h('td', {}, p.date), h('td', { class: 'num' }, String(p.closedTrades ?? '')),
        h('td', { class: `num ${pnlClass(p.realizedPnl)}` }, pnl(p.realizedPnl)),
        h('td', { class: `num ${pnlClass(p.cumulativePnl)}` }, pnl(p.cumulativePnl)))));
    } catch (error) {
      curveBox.replaceChildren(h('p', { class: 'empty' }, explain(error)));
    }
  }

  function historyRow(t) {
    const cells = {};
    const link = h('a', { href: `#/trades/${t.tradeId}` });
    const tr = h('tr', { dataset: { tradeId: t.tradeId } },
      cells.placed = h('td', {}),
      h('th', { scope: 'row' }, link),
      ['side', 'qty', 'entry', 'exit', 'pnl', 'status', 'strategy'].map((k) => cells[k] = h('td', { dataset: { col: k } })));
    function update(x) {
      tr.dataset.status = x.status;
      setText(cells.placed, dateTime(x.createdAt));
      setText(link, instrument(x));
      setText(cells.side, x.side === 'BUY' ? 'Buy' : 'Sell');
      setText(cells.qty, String(x.quantity), 'num');
      setText(cells.entry, money(x.entryPrice), 'num');
      setText(cells.exit, money(x.exitPrice), 'num');
      const live = ACTIVE.includes(x.status);
      const value = live ? x.unrealizedPnl : x.realizedPnl;
      setText(cells.pnl, value === null || value === undefined ? '—' : `${pnl(value)}${live ? ' (open)' : ''}`, `num ${pnlClass(value)}`.trim());
      setText(cells.status, statusText(x.status) + (x.closeReason && x.status !== 'CANCELED' ? ` (${x.closeReason.toLowerCase().replace('_', ' ')})` : ''));
      setText(cells.strategy, x.strategy ?? '');
    }
    update(t);
    return { tr, update, version: t.version, status: t.status };
  }

  async function loadHistory() {
    try {
      const answer = await api(`/api/trades${query({ ...filters, page, size: PAGE_SIZE })}`);
      total = answer.total;
      historyRows.clear();
      const rows = answer.items.map((t) => {
        const row = historyRow(t);
        historyRows.set(t.tradeId, row);
        return row.tr;
      });
      historyBody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '9' }, 'No trades match.'))]));
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      setText(pageInfo, `${total} trade${total === 1 ? '' : 's'}; page ${page + 1} of ${pages}.`);
      prev.disabled = page === 0;
      next.disabled = page + 1 >= pages;
    } catch (error) {
      if (error.errors.length) showProblem(filterForm, error);
      else showAlert(explain(error));
    }
  }

  filterForm.addEventListener('submit', (e) => {
    e.preventDefault();
    clearFieldErrors(filterForm);
    filters = {
      status: [...filterForm.querySelectorAll('input[name="status"]:checked')].map((b) => b.value),
      symbol: symbolInput.value.trim().toUpperCase(),
      strategy: strategyInput.value.trim(),
      from: fromInput.value,
      to: toInput.value,
    };
    page = 0;
    loadHistory();
    loadCurve();
  });
  filterForm.addEventListener('reset', () => {
    clearFieldErrors(filterForm);
    filters = { status: [], symbol: '', strategy: '', from: '', to: '' };
    page = 0;
    setTimeout(() => { loadHistory(); loadCurve(); }, 0);
  });

  function scheduleReload() {
    if (reloadTimer) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      loadHistory();
      loadCurve();
      if (asOf) loadFigures();
    }, 1500);
  }

  asOfInput.max = toLocalInput(new Date(Date.now() + 86400000));
  if (store.portfolio) showFigures(store.portfolio);
  loadFigures();
  loadHistory();
  loadCurve();

  const unsubscribe = store.subscribe((kind, payload) => {
    if (kind === 'portfolio' && !asOf) showFigures(payload);
    if (kind === 'trade') {
      historyRows.get(payload.tradeId)?.update(payload);
      // a new trade or a status change may move a trade in or out of the filter, and into the curve;
      // a price mark changes neither
      if (statuses.get(payload.tradeId) !== payload.status) {
        statuses.set(payload.tradeId, payload.status);
        scheduleReload();
      }
    }
    if (kind === 'refresh') scheduleReload();
  });
  return () => {
    unsubscribe();
    clearTimeout(reloadTimer);
  };
}
