// Display formats: money to the cent, ratios, local times with the UTC instant as a tooltip.
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2,
});

const missing = (v) => v === null || v === undefined || v === '';

export function money(v) {
  return missing(v) ? '—' : usd.format(Number(v));
}

/** Signed money: +$1.00, −$1.00 (a real minus sign, readable by screen readers as "minus"). */
export function pnl(v) {
  if (missing(v)) return '—';
  const n = Number(v);
  const text = usd.format(Math.abs(n));
  if (n > 0 && text !== '$0.00') return `+${text}`;
  if (n < 0 && text !== '$0.00') return `−${text}`;
  return text;
}

export function pnlClass(v) {
  if (missing(v)) return '';
  const n = Math.round(Number(v) * 100);
  return n > 0 ? 'pos' : n < 0 ? 'neg' : '';
}

export function percent(v, digits = 1) {
  return missing(v) ? '—' : `${(Number(v) * 100).toFixed(digits)} %`;
}

export function fixed(v, digits = 2) {
  return missing(v) ? '—' : Number(v).toFixed(digits);
}

export function integer(v) {
  return missing(v) ? '—' : String(v);
}

const pad = (n) => String(n).padStart(2, '0');

/** 2026-02-19 09:30:00 in the browser's time zone. */
export function dateTime(iso) {
  if (missing(iso)) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function time(iso) {
  if (missing(iso)) return '—';
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** AAPL, or AAPL 2026-06-19 260 CALL for an option. */
export function instrument(t) {
  if (!t.optionSymbol) return t.symbol;
  const strike = t.strike === null || t.strike === undefined ? '' : ` ${Number(t.strike)}`;
  return `${t.symbol} ${t.expiry ?? ''}${strike} ${t.optionType ?? ''}`.replace(/\s+/g, ' ').trim();
}

const STATUS_WORDS = {
  PENDING: 'Pending', OPEN: 'Open', PARTIALLY_FILLED: 'Partly filled', CLOSING: 'Closing',
  CLOSED: 'Closed', EXPIRED: 'Expired', CANCELED: 'Canceled',
};

export function statusText(s) {
  return STATUS_WORDS[s] ?? s ?? '—';
}

export const ACTIVE = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'CLOSING'];
export const TERMINAL = ['CLOSED', 'EXPIRED', 'CANCELED'];
export const ALL_STATUSES = [...ACTIVE, ...TERMINAL];
