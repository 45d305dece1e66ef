// Enter a trade: a stock, or an option picked from the broker's chain (expiration → strike → call/put).
import { api, newKey, query } from '../api.js';
import { h, field, setText } from '../dom.js';
import { money, fixed, percent, instrument, statusText } from '../format.js';
import { clearFieldErrors, formAlert, showProblem } from '../ui.js';

export const title = 'New trade';

function radios(legend, name, options, checked) {
  const items = options.map(([value, label]) => {
    const id = `${name}-${value.toLowerCase()}`;
    return h('span', { class: 'choice' },
      h('input', { type: 'radio', name, value, id, checked: value === checked }),
      h('label', { for: id }, label));
  });
  const error = h('p', { class: 'field-error', id: `${name}-error`, dataset: { errorFor: name } });
  const set = h('fieldset', { class: 'radios', 'aria-describedby': error.id }, h('legend', {}, legend), items, error);
  return set;
}

const value = (form, name) => form.elements.namedItem(name)?.value ?? '';
const checkedValue = (form, name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? '';

export function render(main, ctx) {
  const { store } = ctx;
  let key = newKey();
  let inFlight = false;
  let chain = [];
  let lookups = 0;
  let unsubscribe = () => {};

  const symbol = h('input', { name: 'symbol', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters', maxlength: '10', class: 'short' });
  const lookup = h('button', { type: 'button', class: 'secondary', id: 'lookup' }, 'Look up');
  const symbolField = field('Underlying symbol', symbol, { hint: 'For example AAPL. Press Enter or “Look up” for its quote and option chain.', name: 'symbol' });
  const symbolGroup = h('div', { class: 'input-group' });
  symbol.before(symbolGroup);
  symbolGroup.append(symbol, lookup);
  const quoteLine = h('p', { class: 'quote-line', id: 'underlying-quote', 'aria-live': 'polite' });

  const expiration = h('select', { name: 'expiration', disabled: true }, h('option', { value: '' }, 'Look up a symbol first'));
  const strike = h('select', { name: 'strike', disabled: true }, h('option', { value: '' }, '—'));
  const typeSet = radios('Call or put', 'optionType', [['CALL', 'Call'], ['PUT', 'Put']], 'CALL');
  const contractError = h('p', { class: 'field-error', id: 'optionSymbol-error', dataset: { errorFor: 'optionSymbol' } });
  const contract = {};
  const contractRows = [
    ['bid', 'Bid'], ['ask', 'Ask'], ['mark', 'Mark'], ['last', 'Last'], ['iv', 'Implied volatility'],
    ['delta', 'Delta'], ['gamma', 'Gamma'], ['theta', 'Theta'], ['vega', 'Vega'], ['oi', 'Open interest'], ['underlying', 'Underlying'],
  ];
  const contractPanel = h('dl', { class: 'facts contract', id: 'contract' },
    contractRows.map(([k, label]) => [h('dt', {}, label), contract[k] = h('dd', { id: `contract-${k}` }, '—')]));
  const chainBody = h('tbody');
  const chainCaption = h('caption', {}, 'Option chain');
  const chainTable = h('table', { class: 'chain', id: 'chain' }, chainCaption,
    h('thead', {},
      h('tr', {}, h('th', { colspan: '5', scope: 'colgroup' }, 'Calls'), h('th', { scope: 'col', rowspan: '2' }, 'Strike'),
        h('th', { colspan: '5', scope: 'colgroup' }, 'Puts')),
      h('tr', {}, ['Bid', 'Ask', 'Delta', 'IV', 'Pick', 'Pick', 'Bid', 'Ask', 'Delta', 'IV'].map((t) => h('th', { scope: 'col' }, t)))),
    chainBody);
  const chainWrap = h('div', { class: 'chain-wrap', tabindex: '0', role: 'region', 'aria-label': 'Option chain, scrollable' }, chainTable);
  const refreshChain = h('button', { type: 'button', class: 'secondary small', id: 'refresh-chain' }, 'Refresh prices');
  const optionPicker = h('fieldset', { class: 'picker', id: 'option-picker', 'aria-describedby': contractError.id },
    h('legend', {}, 'Contract'),
    h('div', { class: 'row' },
      field('Expiration', expiration, { name: 'expiration' }).wrap,
      field('Strike', strike, { name: 'strike' }).wrap,
      typeSet),
    contractError,
    contract.symbol = h('p', { class: 'contract-name', id: 'contract-symbol', 'aria-live': 'polite' }, 'No contract chosen yet.'),
    contractPanel,
    chainWrap,
    h('div', { class: 'buttons' }, refreshChain));

  const quantity = h('input', { name: 'quantity', type: 'number', min: '1', max: '10000', step: '1', value: '1', inputmode: 'numeric', class: 'short' });
  const quantityField = field('Quantity', quantity, { hint: 'Contracts (each 100 shares)', name: 'quantity' });
  const limitPrice = h('input', { name: 'limitPrice', type: 'number', min: '0', step: 'any', inputmode: 'decimal', class: 'short' });
  const limitField = field('Limit price', limitPrice, { hint: 'Required for a limit order; up to 4 decimals.', name: 'limitPrice' });
  const stopLoss = h('input', { name: 'stopLoss', type: 'number', min: '0', step: 'any', inputmode: 'decimal', class: 'short' });
  const takeProfit = h('input', { name: 'takeProfit', type: 'number', min: '0', step: 'any', inputmode: 'decimal', class: 'short' });
  const strategy = h('input', { name: 'strategy', maxlength: '64', autocomplete: 'off' });
  const notes = h('textarea', { name: 'notes', rows: '2', maxlength: '2000' });
  const submit = h('button', { type: 'submit', id: 'place-trade' }, 'Place trade');
  const result = h('div', { id: 'submit-result', role: 'status', class: 'result' });

  const form = h('form', { id: 'trade-form', class: 'stack', novalidate: true },
    radios('Instrument', 'kind', [['OPTION', 'Option'], ['STOCK', 'Stock']], 'OPTION'),
    symbolField.wrap,
    quoteLine,
    optionPicker,
    h('div', { class: 'row' },
      radios('Side', 'side', [['BUY', 'Buy'], ['SELL', 'Sell']], 'BUY'),
      quantityField.wrap,
      radios('Order type', 'orderType', [['MARKET', 'Market'], ['LIMIT', 'Limit']], 'MARKET'),
      limitField.wrap),
    h('div', { class: 'row' },
      field('Stop loss', stopLoss, { hint: 'Optional: below the entry for a buy, above for a sell.', name: 'stopLoss' }).wrap,
      field('Take profit', takeProfit, { hint: 'Optional: above the entry for a buy, below for a sell.', name: 'takeProfit' }).wrap),
    h('div', { class: 'row' },
      field('Strategy', strategy, { hint: 'Optional label for the portfolio’s per-strategy figures.', name: 'strategy' }).wrap,
      field('Notes', notes, { name: 'notes' }).wrap),
    formAlert(),
    h('div', { class: 'buttons' }, submit),
    result);

  main.append(h('h1', {}, 'New trade'), form);

  const kind = () => checkedValue(form, 'kind');
  function syncKind() {
    const option = kind() === 'OPTION';
    optionPicker.hidden = !option;
    setText(quantityField.wrap.querySelector('.hint'), option ? 'Contracts (each 100 shares)' : 'Shares');
  }
  function syncOrderType() {
    limitField.wrap.hidden = checkedValue(form, 'orderType') !== 'LIMIT';
  }
  form.addEventListener('change', (e) => {
    if (e.target.name === 'kind') {
      syncKind();
      if (kind() === 'OPTION' && symbol.value && chain.length === 0) lookUp();
    }
    if (e.target.name === 'orderType') syncOrderType();
    if (e.target.name === 'optionType' || e.target === strike) showContract();
  });
  syncKind();
  syncOrderType();
  renderChain();

  symbol.addEventListener('input', () => {
    const upper = symbol.value.toUpperCase();
    if (upper !== symbol.value) symbol.value = upper;
  });
  symbol.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      lookUp();
    }
  });
  lookup.addEventListener('click', () => lookUp());
  expiration.addEventListener('change', () => loadChain());
  refreshChain.addEventListener('click', () => loadChain());

  function fieldError(name, message) {
    const slot = form.querySelector(`.field-error[data-error-for="${name}"]`);
    slot.textContent = message;
  }

  async function lookUp() {
    clearFieldErrors(form);
    const sym = symbol.value.trim();
    if (!/^[A-Z.]{1,10}$/.test(sym)) {
      fieldError('symbol', sym ? '1–10 letters A–Z or “.”' : 'enter a symbol first');
      symbol.setAttribute('aria-invalid', 'true');
      symbol.focus();
      return;
    }
    const mine = ++lookups;
    quoteLine.textContent = `Looking up ${sym}…`;
    chain = [];
    expiration.replaceChildren(h('option', { value: '' }, 'Look up a symbol first'));
    expiration.disabled = true;
    renderChain();
    try {
      const [quotes, expirations] = await Promise.all([
        api(`/api/market/quotes${query({ symbols: sym })}`),
        kind() === 'OPTION' ? api(`/api/market/expirations${query({ symbol: sym })}`) : Promise.resolve(null),
      ]);
      if (mine !== lookups) return;
      const q = quotes[0];
      quoteLine.textContent = q
        ? `${q.symbol}: bid ${money(q.bid)}, ask ${money(q.ask)}, last ${money(q.last)}${q.description ? ` (${q.description})` : ''}`
        : `No quote for ${sym}.`;
      if (expirations) {
        expiration.replaceChildren(...expirations.map((d) => h('option', { value: d }, d)));
        expiration.disabled = expirations.length === 0;
        if (expirations.length === 0) expiration.append(h('option', { value: '' }, 'No expirations'));
        else await loadChain();
      }
    } catch (error) {
      if (mine !== lookups) return;
      quoteLine.textContent = '';
      showProblem(form, error, { aliases: { symbols: 'symbol' } });
    }
  }

  async function loadChain() {
    const sym = symbol.value.trim();
    const date = expiration.value;
    if (!sym || !date) return;
    const mine = ++lookups;
    chainCaption.textContent = `Loading the ${sym} chain for ${date}…`;
    try {
      const entries = await api(`/api/market/chains${query({ symbol: sym, expiration: date })}`);
      if (mine !== lookups) return;
      chain = entries;
      renderChain();
    } catch (error) {
      if (mine !== lookups) return;
      showProblem(form, error, { aliases: { symbols: 'symbol' } });
    }
  }

  function strikesOf(entries) {
    return [...new Set(entries.map((e) => Number(e.strike)))].sort((a, b) => a - b);
  }

  function renderChain() {
    const previous = strike.value;
    const strikes = strikesOf(chain);
    chainBody.replaceChildren();
    chainWrap.hidden = chain.length === 0;
    refreshChain.hidden = chain.length === 0;
    if (chain.length === 0) {
      strike.replaceChildren(h('option', { value: '' }, '—'));
      strike.disabled = true;
      chainCaption.textContent = 'Option chain';
      showContract();
      return;
    }
    const underlying = chain.find((e) => e.quote?.underlyingPrice !== null && e.quote?.underlyingPrice !== undefined)?.quote.underlyingPrice;
    chainCaption.textContent = `${symbol.value.trim()} options expiring ${expiration.value}${underlying ? `, underlying ${money(underlying)}` : ''}`;
    const atm = underlying === undefined ? strikes[0]
      : strikes.reduce((best, s) => (Math.abs(s - underlying) < Math.abs(best - underlying) ? s : best), strikes[0]);
    strike.replaceChildren(...strikes.map((s) => h('option', { value: String(s) }, `${s}${s === atm ? ' (at the money)' : ''}`)));
    strike.value = strikes.includes(Number(previous)) ? previous : String(atm);
    strike.disabled = false;
    for (const s of strikes) {
      const call = chain.find((e) => Number(e.strike) === s && e.optionType === 'CALL');
      const put = chain.find((e) => Number(e.strike) === s && e.optionType === 'PUT');
      const cells = (e) => (e ? [money(e.quote?.bid), money(e.quote?.ask), fixed(e.quote?.greeks?.delta, 3), percent(e.quote?.greeks?.impliedVolatility)]
        : ['—', '—', '—', '—']).map((t) => h('td', { class: 'num' }, t));
      const pick = (e, type) => h('td', {}, e ? h('button', {
        // the selects and radios above are the keyboard's way; these buttons are the mouse's shortcut
        type: 'button', class: 'small pick', tabindex: '-1', dataset: { strike: String(s), type },
        'aria-label': `Choose the ${s} ${type.toLowerCase()}`, 'aria-pressed': 'false',
        onClick: () => {
          strike.value = String(s);
          form.querySelector(`input[name="optionType"][value="${type}"]`).checked = true;
          showContract();
        },
      }, type === 'CALL' ? 'Call' : 'Put') : '');
      chainBody.append(h('tr', { dataset: { strike: String(s) }, class: s === atm ? 'atm' : null },
        cells(call), pick(call, 'CALL'), h('th', { scope: 'row', class: 'num' }, String(s)), pick(put, 'PUT'), cells(put)));
    }
    showContract();
    const row = chainBody.querySelector(`tr[data-strike="${CSS.escape(strike.value)}"]`);
    const wrap = chainTable.parentElement;
    if (row && wrap) wrap.scrollTop = Math.max(0, row.offsetTop - wrap.clientHeight / 2);
  }

  function selected() {
    const type = checkedValue(form, 'optionType');
    return chain.find((e) => String(Number(e.strike)) === strike.value && e.optionType === type) || null;
  }

  function showContract() {
    const e = selected();
    const q = e?.quote;
    const g = q?.greeks;
    setText(contract.symbol, e ? `${symbol.value.trim()} ${e.expiry} ${Number(e.strike)} ${e.optionType.toLowerCase()} (${e.optionSymbol})` : 'No contract chosen yet.');
    contractPanel.hidden = !e;
    setText(contract.bid, money(q?.bid));
    setText(contract.ask, money(q?.ask));
    setText(contract.mark, money(q?.mark));
    setText(contract.last, money(q?.last));
    setText(contract.iv, percent(g?.impliedVolatility));
    setText(contract.delta, fixed(g?.delta, 4));
    setText(contract.gamma, fixed(g?.gamma, 4));
    setText(contract.theta, fixed(g?.theta, 4));
    setText(contract.vega, fixed(g?.vega, 4));
    setText(contract.oi, e?.openInterest ?? '—');
    setText(contract.underlying, money(q?.underlyingPrice));
    for (const row of chainBody.querySelectorAll('tr')) {
      const on = e && row.dataset.strike === strike.value;
      row.classList.toggle('selected', Boolean(on));
      for (const b of row.querySelectorAll('button.pick')) {
        b.setAttribute('aria-pressed', String(Boolean(on && b.dataset.type === e.optionType)));
      }
    }
  }

  function numberField(input, name, errors, { integer = false } = {}) {
    if (input.validity.badInput) {
      errors.push({ field: name, message: integer ? 'a whole number' : 'a number' });
      return undefined;
    }
    const raw = input.value.trim();
    if (raw === '') return undefined;
    return Number(raw);
  }

  function collect() {
    const errors = [];
    const body = {
      symbol: symbol.value.trim(),
      side: checkedValue(form, 'side'),
      quantity: numberField(quantity, 'quantity', errors, { integer: true }),
      orderType: checkedValue(form, 'orderType'),
    };
    if (kind() === 'OPTION') {
      const e = selected();
      if (e) body.optionSymbol = e.optionSymbol;
      else errors.push({ field: 'optionSymbol', message: 'pick a contract: look up the symbol, then choose expiration, strike and call or put' });
    }
    if (body.orderType === 'LIMIT') body.limitPrice = numberField(limitPrice, 'limitPrice', errors);
    body.stopLoss = numberField(stopLoss, 'stopLoss', errors);
    body.takeProfit = numberField(takeProfit, 'takeProfit', errors);
    if (strategy.value.trim()) body.strategy = strategy.value.trim();
    if (notes.value.trim()) body.notes = notes.value.trim();
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return { body, errors };
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (inFlight) return; // a second click while the first is on its way
    inFlight = true;
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    clearFieldErrors(form);
    try {
      const { body, errors } = collect();
      if (errors.length) {
        showProblem(form, { errors, problem: {} });
        return;
      }
      let ack;
      try {
        ack = await api('/api/trades', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      } catch (error) {
        // no answer: the order may have arrived, so the same key is kept and a resubmission cannot duplicate it
        if (error.status !== 0) key = newKey();
        showProblem(form, error, { aliases: { 'Idempotency-Key': 'form' } });
        return;
      }
      key = newKey(); // the next submission is a new trade
      showResult(ack, body);
      store.reloadTrade(ack.tradeId, ack.version).catch(() => null);
    } finally {
      inFlight = false;
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  function showResult(ack, body) {
    unsubscribe();
    const name = body.optionSymbol ? instrument({ ...(selected() || {}), symbol: body.symbol, optionSymbol: body.optionSymbol }) : body.symbol;
    const status = h('strong', { class: 'status', dataset: { status: ack.status } }, statusText(ack.status));
    result.replaceChildren(h('p', {},
      `Placed: ${body.side.toLowerCase()} ${body.quantity} ${name}. Status: `, status, '. ',
      h('a', { href: `#/trades/${ack.tradeId}`, id: 'placed-trade-link', dataset: { tradeId: ack.tradeId } }, 'Follow this trade'),
      ' or see all ', h('a', { href: '#/positions' }, 'open positions'), '.'));
    unsubscribe = store.subscribe((kindOf, t) => {
      if (kindOf === 'trade' && t.tradeId === ack.tradeId) {
        setText(status, statusText(t.status));
        status.dataset.status = t.status;
      }
    });
  }

  symbol.focus();
  return () => {
    lookups += 1;
    unsubscribe();
  };
}
