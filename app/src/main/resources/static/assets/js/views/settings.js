// Settings: broker choice and Tradier credentials (the token is write-only), risk limits, connection test.
import { api } from '../api.js';
import { h, field } from '../dom.js';
import { clearFieldErrors, explain, formAlert, notify, showProblem } from '../ui.js';

export const title = 'Settings';

function choice(name, value, label, checked) {
  const id = `${name}-${value.toLowerCase()}`;
  return h('span', { class: 'choice' }, h('input', { type: 'radio', name, value, id, checked }), h('label', { for: id }, label));
}

const numberOrNull = (input) => (input.value.trim() === '' ? null : Number(input.value));

export function render(main, ctx) {

  // --- broker
  const testButton = h('button', { type: 'button', class: 'secondary', id: 'test-connection' }, 'Test the connection');
  const brokerError = h('p', { class: 'field-error', id: 'broker-error', dataset: { errorFor: 'broker' } });
  const environment = h('select', { name: 'environment' }, h('option', { value: 'SANDBOX' }, 'Sandbox (paper account at Tradier)'), h('option', { value: 'LIVE' }, 'Live'));
  const accountId = h('input', { name: 'accountId', autocomplete: 'off', spellcheck: 'false', maxlength: '32', class: 'short' });
  const token = h('input', { name: 'token', type: 'password', autocomplete: 'new-password', spellcheck: 'false' });
  const tokenField = field('Access token', token, { name: 'token', hint: 'Write-only: a saved token is never shown again.' });
  const tradierFields = h('div', { class: 'row', id: 'tradier-fields' },
    field('Environment', environment, { name: 'environment' }).wrap,
    field('Account id', accountId, { name: 'accountId', hint: 'For example VA000000.' }).wrap,
    tokenField.wrap);
  const brokerForm = h('form', { class: 'stack', id: 'broker-form', novalidate: true },
    h('fieldset', { class: 'radios', 'aria-describedby': brokerError.id }, h('legend', {}, 'Where your orders go'),
      choice('broker', 'SIMULATED', 'Simulated (built in)', true), choice('broker', 'TRADIER', 'Tradier', false), brokerError),
    tradierFields,
    formAlert(),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save broker'), testButton));
  const testResult = h('p', { id: 'test-result', role: 'status', class: 'result' });

  // --- risk
  const maxOpen = h('input', { name: 'maxOpenTrades', type: 'number', min: '1', max: '10000', step: '1', class: 'short', inputmode: 'numeric' });
  const maxCost = h('input', { name: 'maxPositionCost', type: 'number', min: '0', step: 'any', class: 'short', inputmode: 'decimal' });
  const stopPct = h('input', { name: 'defaultStopLossPct', type: 'number', min: '0', max: '100', step: 'any', class: 'short', inputmode: 'decimal' });
  const takePct = h('input', { name: 'defaultTakeProfitPct', type: 'number', min: '0', max: '1000', step: 'any', class: 'short', inputmode: 'decimal' });
  const riskForm = h('form', { class: 'stack', id: 'risk-form', novalidate: true },
    h('div', { class: 'row' },
      field('Max open trades', maxOpen, { name: 'maxOpenTrades', hint: 'Empty: no limit.' }).wrap,
      field('Max position cost ($)', maxCost, { name: 'maxPositionCost', hint: 'Empty: no limit.' }).wrap,
      field('Default stop loss (%)', stopPct, { name: 'defaultStopLossPct', hint: 'Below the entry; empty: none.' }).wrap,
      field('Default take profit (%)', takePct, { name: 'defaultTakeProfitPct', hint: 'Above the entry; empty: none.' }).wrap),
    formAlert(),
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Save risk limits')));

  main.append(
    h('h1', {}, 'Settings'),
    h('section', { class: 'panel', 'aria-labelledby': 'broker-title' }, h('h2', { id: 'broker-title' }, 'Broker'),
      h('p', { class: 'hint' }, 'Where your trades are placed and your quotes come from. The server’s operator decides the Tradier addresses.'),
      brokerForm, testResult),
    h('section', { class: 'panel', 'aria-labelledby': 'risk-title' }, h('h2', { id: 'risk-title' }, 'Risk limits'),
      h('p', { class: 'hint' }, 'Checked before every new trade; a trade over a limit is refused with the reason.'),
      riskForm),
  );

  const broker = () => brokerForm.querySelector('input[name="broker"]:checked').value;
  const syncBroker = () => { tradierFields.hidden = broker() !== 'TRADIER'; };
  brokerForm.addEventListener('change', (e) => { if (e.target.name === 'broker') syncBroker(); });

  function fill(s) {
    brokerForm.querySelector(`input[name="broker"][value="${s.broker}"]`).checked = true;
    environment.value = s.tradierEnvironment ?? 'SANDBOX';
    accountId.value = s.tradierAccountId ?? '';
    token.value = '';
    token.placeholder = s.hasTradierToken ? 'A token is saved: leave empty to keep it' : '';
    tokenField.wrap.querySelector('.hint').textContent = s.hasTradierToken
      ? 'A token is saved (write-only: it is never shown). Type a new one to replace it.'
      : 'Write-only: once saved it is never shown again.';
    syncBroker();
    const r = s.risk || {};
    maxOpen.value = r.maxOpenTrades ?? '';
    maxCost.value = r.maxPositionCost ?? '';
    stopPct.value = r.defaultStopLossPct ?? '';
    takePct.value = r.defaultTakeProfitPct ?? '';
  }

  async function load() {
    try {
      fill(await api('/api/settings'));
    } catch (error) {
      showProblem(brokerForm, error);
    }
  }

  brokerForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(brokerForm);
    const body = { broker: broker() };
    if (body.broker === 'TRADIER') {
      body.environment = environment.value;
      body.accountId = accountId.value.trim();
      if (token.value) body.token = token.value; // empty keeps the saved token
    }
    try {
      await api('/api/settings/broker', { method: 'PUT', body });
      notify('Broker settings saved.');
      await load();
    } catch (error) {
      showProblem(brokerForm, error);
    }
  });

  testButton.addEventListener('click', async () => {
    testButton.disabled = true;
    testResult.textContent = 'Testing…';
    testResult.className = 'result';
    try {
      const r = await api('/api/settings/broker/test', { method: 'POST' });
      const accounts = r.accounts?.length ? `; accounts: ${r.accounts.join(', ')}` : '';
      testResult.textContent = r.ok ? `Connected to ${r.broker}${accounts}${r.accountType ? ` (${r.accountType})` : ''}.`
        : `The ${r.broker} connection did not work.`;
      testResult.className = r.ok ? 'result ok' : 'result bad';
    } catch (error) {
      testResult.textContent = `The connection failed: ${explain(error)}`;
      testResult.className = 'result bad';
    } finally {
      testButton.disabled = false;
    }
  });

  riskForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(riskForm);
    const errors = [maxOpen, maxCost, stopPct, takePct].filter((i) => i.validity.badInput)
      .map((i) => ({ field: i.name, message: 'a number' }));
    if (errors.length) {
      showProblem(riskForm, { errors, problem: {} });
      return;
    }
    try {
      await api('/api/settings/risk', {
        method: 'PUT',
        body: {
          maxOpenTrades: numberOrNull(maxOpen), maxPositionCost: numberOrNull(maxCost),
          defaultStopLossPct: numberOrNull(stopPct), defaultTakeProfitPct: numberOrNull(takePct),
        },
      });
      notify('Risk limits saved.');
      await load();
    } catch (error) {
      showProblem(riskForm, error);
    }
  });

  syncBroker();
  load();
  return null;
}
