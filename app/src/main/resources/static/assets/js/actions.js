// Close, cancel and bracket edits for one trade, each sent with If-Match: the version the page shows.
import { api } from './api.js';
import { h, field } from './dom.js';
import { instrument, money } from './format.js';
import { explain, formAlert, notify, showAlert, showProblem, clearFieldErrors } from './ui.js';

const CLOSABLE = ['OPEN', 'PARTIALLY_FILLED'];
const CANCELABLE = ['PENDING', 'PARTIALLY_FILLED'];
const BRACKETS_EDITABLE = ['PENDING', 'PARTIALLY_FILLED', 'OPEN'];
const REFUSALS_THAT_RELOAD = ['VERSION_CONFLICT', 'ILLEGAL_TRANSITION', 'NOT_FOUND'];

/**
 * Buttons for a trade: {el, update(trade)}. getTrade() returns the trade as the page shows it now.
 */
export function tradeActions(store, getTrade) {
  const close = h('button', { type: 'button', class: 'small', dataset: { action: 'close' } }, 'Close');
  const cancel = h('button', { type: 'button', class: 'small secondary', dataset: { action: 'cancel' } }, 'Cancel');
  const brackets = h('button', { type: 'button', class: 'small secondary', dataset: { action: 'brackets' } }, 'Brackets…');
  const el = h('div', { class: 'actions' }, close, cancel, brackets);

  async function send(button, path, label, body) {
    const trade = getTrade();
    const version = trade.version;
    button.disabled = true;
    try {
      const ack = await api(`/api/trades/${encodeURIComponent(trade.tradeId)}/${path}`, {
        method: 'POST', headers: { 'If-Match': `"${version}"` }, body,
      });
      notify(path === 'cancel' && ack.status !== 'CANCELED'
        ? `Cancel ${instrument(trade)}: sent to the broker; the trade ends once the broker confirms (anything that filled meanwhile stays open).`
        : `${label} ${instrument(trade)}: accepted, the trade is now ${ack.status.toLowerCase().replace('_', ' ')}.`);
      await store.reloadTrade(trade.tradeId, ack.version).catch(() => null);
      store.refresh().catch(() => null);
    } catch (error) {
      showAlert(explain(error, { version }), { title: `${label} ${instrument(trade)} refused` });
      if (REFUSALS_THAT_RELOAD.includes(error.code)) await store.reloadTrade(trade.tradeId).catch(() => null);
    } finally {
      button.disabled = false;
      update(getTrade());
    }
  }

  close.addEventListener('click', () => send(close, 'close', 'Close', { reason: 'MANUAL' }));
  cancel.addEventListener('click', () => send(cancel, 'cancel', 'Cancel'));
  brackets.addEventListener('click', () => editBrackets(store, getTrade(), brackets));

  function update(trade) {
    const name = instrument(trade);
    close.hidden = !CLOSABLE.includes(trade.status);
    cancel.hidden = !CANCELABLE.includes(trade.status) || Boolean(trade.tradeContext?.cancelRequestedAt);
    brackets.hidden = !BRACKETS_EDITABLE.includes(trade.status);
    close.setAttribute('aria-label', `Close ${name}`);
    cancel.setAttribute('aria-label', `Cancel ${name}`);
    brackets.setAttribute('aria-label', `Edit stop loss and take profit of ${name}`);
    el.hidden = close.hidden && cancel.hidden && brackets.hidden;
  }

  update(getTrade());
  return { el, update };
}

const numberOrNull = (input) => (input.value.trim() === '' ? null : Number(input.value));

/** A modal dialog to change (or clear) stop loss and take profit. */
function editBrackets(store, trade, opener) {
  const stop = h('input', { name: 'stopLoss', type: 'number', step: 'any', min: '0', inputmode: 'decimal' });
  const take = h('input', { name: 'takeProfit', type: 'number', step: 'any', min: '0', inputmode: 'decimal' });
  if (trade.stopLoss !== null && trade.stopLoss !== undefined) stop.value = String(Number(trade.stopLoss));
  if (trade.takeProfit !== null && trade.takeProfit !== undefined) take.value = String(Number(trade.takeProfit));
  const save = h('button', { type: 'submit' }, 'Save brackets');
  const dismiss = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const form = h('form', { class: 'stack', novalidate: true },
    field('Stop loss', stop, { hint: 'Price per share or contract; empty clears it.' }).wrap,
    field('Take profit', take, { hint: 'Price per share or contract; empty clears it.' }).wrap,
    formAlert(),
    h('div', { class: 'buttons' }, save, dismiss));
  let version = trade.version;
  const heading = h('h2', { id: 'brackets-title' }, `Brackets of ${instrument(trade)}`);
  const about = h('p', { class: 'hint' });
  const describe = (t) => {
    about.textContent = `Entry ${money(t.entryPrice ?? t.limitPrice)}, last ${money(t.lastPrice)}; `
      + `now stop loss ${money(t.stopLoss)}, take profit ${money(t.takeProfit)} (version ${t.version}).`;
  };
  describe(trade);
  const dialog = h('dialog', { 'aria-labelledby': 'brackets-title', class: 'dialog' }, heading, about, form);
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener.focus();
  });
  dismiss.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    if (stop.validity.badInput || take.validity.badInput) {
      showProblem(form, { errors: [stop.validity.badInput && { field: 'stopLoss', message: 'a number' },
        take.validity.badInput && { field: 'takeProfit', message: 'a number' }].filter(Boolean), problem: {} });
      return;
    }
    save.disabled = true;
    try {
      const ack = await api(`/api/trades/${encodeURIComponent(trade.tradeId)}/brackets`, {
        method: 'PUT', headers: { 'If-Match': `"${version}"` },
        body: { stopLoss: numberOrNull(stop), takeProfit: numberOrNull(take) },
      });
      dialog.close();
      notify(`Brackets of ${instrument(trade)} saved (version ${ack.version}).`);
      await store.reloadTrade(trade.tradeId, ack.version).catch(() => null);
    } catch (error) {
      showProblem(form, error, { version });
      if (REFUSALS_THAT_RELOAD.includes(error.code)) {
        // show what it is now; a second save is a decision taken on the new version
        const now = await store.reloadTrade(trade.tradeId).catch(() => null);
        if (now) {
          version = now.version;
          describe(now);
        }
      }
    } finally {
      save.disabled = false;
    }
  });
  dialog.showModal();
  stop.focus();
}
