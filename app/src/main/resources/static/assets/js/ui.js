// Messages: the page's alert region, the status line, errors beside fields, refusals explained in words.
import { h } from './dom.js';

export const SESSION_ENDED = 'Your session has ended (the token expired or was refused). Please sign in again.';

const alertBox = () => document.getElementById('alert');
const noticeBox = () => document.getElementById('notice');

/** An error for everyone to see (and hear): stays until dismissed or the page changes. */
export function showAlert(message, { title } = {}) {
  const box = alertBox();
  const close = h('button', { type: 'button', class: 'link-button', 'aria-label': 'Dismiss message' }, 'Dismiss');
  const el = h('div', { class: 'alert-message' }, title ? h('strong', {}, `${title}: `) : null, message, ' ', close);
  close.addEventListener('click', () => {
    el.remove();
    document.getElementById('main').focus();
  });
  box.replaceChildren(el);
}

export function clearAlert() {
  alertBox().replaceChildren();
}

/** A polite status line ("Close requested…"). */
export function notify(message) {
  noticeBox().replaceChildren(h('div', { class: 'notice-message' }, message));
}

export function clearNotice() {
  noticeBox().replaceChildren();
}

const STATE_WORDS = {
  PENDING: 'still waiting for its entry order to fill',
  OPEN: 'open (its entry has filled)',
  PARTIALLY_FILLED: 'partly filled',
  CLOSING: 'already being closed',
  CLOSED: 'already closed',
  EXPIRED: 'already expired',
  CANCELED: 'already canceled',
};
const TARGET_WORDS = {
  CANCELED: 'canceled',
  CLOSING: 'closed',
  CLOSED: 'closed',
  OPEN: 'reopened',
  EXPIRED: 'expired',
  PARTIALLY_FILLED: 'partly filled',
  PENDING: 'placed again',
};

/** ILLEGAL_TRANSITION in words. */
export function explainTransition(from, to) {
  const state = STATE_WORDS[from] ?? `in state ${from}`;
  if (['CLOSED', 'EXPIRED', 'CANCELED'].includes(from)) {
    return `This trade has ended (${from.toLowerCase()}): nothing can change it any more. The page now shows its final state.`;
  }
  if (!to || from === to) {
    return `This trade is ${state}, so this change is no longer possible. The page now shows its current state.`;
  }
  let text = `This trade is ${state}, so it cannot be ${TARGET_WORDS[to] ?? `moved to ${to}`}.`;
  if (to === 'CANCELED' && (from === 'OPEN' || from === 'CLOSING')) text += ' Its entry filled before the cancel arrived: close it instead.';
  if (to === 'CLOSING' && from === 'PENDING') text += ' Nothing has filled yet, so there is nothing to close: cancel it instead.';
  return `${text} The page now shows its current state.`;
}

/** VERSION_CONFLICT in words. */
export function explainConflict(currentVersion, yourVersion) {
  const mine = yourVersion ? ` (your page showed version ${yourVersion})` : '';
  return `This trade changed after your page loaded it: it is now at version ${currentVersion}${mine}, `
    + 'because the broker, a bracket or another tab moved it on. Nothing was changed. '
    + 'The page now shows the latest state: check it and try again if it still makes sense.';
}

/** A refusal as one sentence for the alert region. */
export function explain(error, { version } = {}) {
  const p = error.problem || {};
  switch (error.code) {
    case 'VERSION_CONFLICT':
      return explainConflict(p.currentVersion, version);
    case 'ILLEGAL_TRANSITION':
      return explainTransition(p.from, p.to);
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'This submission key was already used for a different order. Submit the form again: it gets a new key.';
    case 'RISK_LIMIT':
      return `Refused by your risk limits: ${p.detail ?? ''} (Settings → Risk limits).`;
    case 'NOT_FOUND':
      return 'No such trade among yours.';
    case 'BROKER_IN_USE':
      return `${p.detail ?? 'Trades are still live on the current broker account.'} Close or cancel them before switching broker accounts.`;
    case 'BROKER_CREDENTIALS':
      return `The broker refused the credentials: ${p.detail ?? ''}`;
    case 'BROKER_UNAVAILABLE':
      return `The broker cannot be reached right now: ${p.detail ?? ''} Try again in a moment.`;
    default:
      if (error.status === 0) return p.detail;
      if (error.status === 401) return SESSION_ENDED;
      if (error.status === 403) return 'Your token does not allow this.';
      return [p.title, p.detail].filter(Boolean).join(': ') || `The server answered ${error.status}.`;
  }
}

/** Clears the errors beside a form's fields. */
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  const summary = form.querySelector('.form-alert');
  if (summary) summary.replaceChildren();
}

/**
 * Shows a refusal: each {field, message} beside its field (aliases maps API field names to the form's), the
 * rest in the form's own alert line, or the page's alert region. Focuses the first invalid field.
 */
export function showProblem(form, error, { aliases = {}, version } = {}) {
  if (form) clearFieldErrors(form);
  const unplaced = [];
  let first = null;
  for (const { field, message } of error.errors) {
    const name = aliases[field] ?? field;
    const slot = form ? form.querySelector(`.field-error[data-error-for="${CSS.escape(name)}"]`) : null;
    if (slot) {
      slot.textContent = message;
      const input = form.querySelector(`[aria-describedby~="${CSS.escape(slot.id)}"]`);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        first = first || input;
      }
    } else {
      unplaced.push(`${field}: ${message}`);
    }
  }
  const summary = form ? form.querySelector('.form-alert') : null;
  let text = null;
  if (error.errors.length === 0) text = explain(error, { version });
  else if (unplaced.length) text = `Please correct: ${unplaced.join('; ')}`;
  else if (first) text = `Please correct the ${error.errors.length === 1 ? 'field' : `${error.errors.length} fields`} marked in the form.`;
  if (text) {
    if (summary) summary.replaceChildren(h('p', {}, text));
    else showAlert(text);
  }
  const target = first && first.matches('fieldset') ? first.querySelector('input, select, textarea') : first;
  if (target) target.focus();
  else if (summary && text) summary.focus();
}

/** The form's own alert line, announced when it changes. */
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', tabindex: '-1' });
}
