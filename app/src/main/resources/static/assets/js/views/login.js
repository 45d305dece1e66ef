// Sign in: the dev login of the embedded default, or a bearer token pasted here.
import { api } from '../api.js';
import { h, field } from '../dom.js';
import { formAlert, showProblem, clearFieldErrors } from '../ui.js';

export const title = 'Sign in';

export function render(main, ctx) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, spellcheck: 'false', autocapitalize: 'off' });
  const admin = h('input', { type: 'checkbox', name: 'admin', id: 'dev-admin' });
  const devButton = h('button', { type: 'submit' }, 'Sign in');
  const devForm = h('form', { class: 'stack', novalidate: true, id: 'dev-login' },
    field('Username', username, { hint: '1–64 letters, digits or . _ @ -', name: 'username' }).wrap,
    h('div', { class: 'check' }, admin, h('label', { for: 'dev-admin' }, 'with the admin role')),
    formAlert(),
    h('div', { class: 'buttons' }, devButton));

  devForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(devForm);
    devButton.disabled = true;
    try {
      const answer = await api('/api/auth/dev-token', {
        method: 'POST', auth: false, body: { username: username.value.trim(), roles: admin.checked ? ['admin'] : [] },
      });
      ctx.signIn(answer.token);
    } catch (error) {
      if (error.status === 404) {
        devForm.querySelector('.form-alert').replaceChildren(h('p', {},
          'Dev login is off on this server (it is on only in the embedded default). Paste a token below instead.'));
      } else {
        showProblem(devForm, error);
      }
    } finally {
      devButton.disabled = false;
    }
  });

  const token = h('textarea', { name: 'token', rows: '4', spellcheck: 'false', autocomplete: 'off' });
  const tokenButton = h('button', { type: 'submit' }, 'Use this token');
  const tokenForm = h('form', { class: 'stack', novalidate: true, id: 'token-login' },
    field('Bearer token', token, { hint: 'A JWT from your identity provider, without the word "Bearer".', name: 'token' }).wrap,
    formAlert(),
    h('div', { class: 'buttons' }, tokenButton));

  tokenForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(tokenForm);
    const value = token.value.trim().replace(/^Bearer\s+/i, '');
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value)) {
      showProblem(tokenForm, { errors: [{ field: 'token', message: 'a JWT: three dot-separated parts' }], problem: {} });
      return;
    }
    tokenButton.disabled = true;
    try {
      // checked before it is kept: a refused token answers 401 here
      await api('/api/settings', { auth: false, headers: { Authorization: `Bearer ${value}` } });
      ctx.signIn(value);
    } catch (error) {
      const message = error.status === 401 ? 'This token was refused (expired, wrong signature, issuer or audience).' : null;
      showProblem(tokenForm, message ? { errors: [{ field: 'token', message }], problem: {} } : error);
    } finally {
      tokenButton.disabled = false;
    }
  });

  main.append(
    h('h1', {}, 'Sign in'),
    h('p', { class: 'lead' }, 'Your token stays in this browser tab only (session storage) and is gone when the tab closes.'),
    h('div', { class: 'columns' },
      h('section', { class: 'panel', 'aria-labelledby': 'dev-title' },
        h('h2', { id: 'dev-title' }, 'Dev login'),
        h('p', { class: 'hint' }, 'On the embedded default (java -jar …) any username signs in; nobody else can see your trades.'),
        devForm),
      h('section', { class: 'panel', 'aria-labelledby': 'token-title' },
        h('h2', { id: 'token-title' }, 'Bearer token'),
        h('p', { class: 'hint' }, 'Elsewhere, paste a token, or open this page as /#token=… to hand one over.'),
        tokenForm)),
  );
  username.focus();
}
