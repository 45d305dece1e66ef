// The dashboard's shell: session, hash routes, navigation, the live connection.
import { session, setUnauthorizedHandler } from './api.js';
import { Store } from './store.js';
import { Live } from './live.js';
import { clearAlert, clearNotice, showAlert, SESSION_ENDED } from './ui.js';
import * as login from './views/login.js';
import * as entry from './views/entry.js';
import * as positions from './views/positions.js';
import * as detail from './views/detail.js';
import * as portfolio from './views/portfolio.js';
import * as settings from './views/settings.js';

const ROUTES = [
  [/^#\/login$/, login, 'login'],
  [/^#\/trade$/, entry, 'trade'],
  [/^#\/positions$/, positions, 'positions'],
  [/^#\/trades\/([A-Za-z0-9-]{1,64})$/, detail, 'positions'],
  [/^#\/portfolio$/, portfolio, 'portfolio'],
  [/^#\/settings$/, settings, 'settings'],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sessionBox = document.getElementById('session');
const liveStatus = document.getElementById('live-status');
const ctx = { store: null, live: null, navigate: (hash) => { location.hash = hash; }, signIn, signOut };
let cleanup = null;

function startSession() {
  ctx.store = new Store();
  ctx.live = new Live(ctx.store, {
    onStatus: (state, text) => {
      liveStatus.dataset.state = state;
      liveStatus.textContent = text;
    },
    onUnauthorized: expired,
  });
  nav.hidden = false;
  sessionBox.hidden = false;
  document.getElementById('who').textContent = `Signed in as ${session.username ?? 'unknown user'}`;
  ctx.store.refresh().catch(() => {});
  ctx.live.start();
}

function endSession() {
  ctx.live?.stop();
  ctx.live = null;
  ctx.store = null;
  nav.hidden = true;
  sessionBox.hidden = true;
}

function signIn(token) {
  endSession();
  session.set(token);
  startSession();
  location.hash = '#/positions';
}

function signOut() {
  endSession();
  session.clear();
  location.hash = '#/login';
}

function expired() {
  if (!session.token) return;
  endSession();
  session.clear();
  keepAlert = true;
  location.hash = '#/login';
  showAlert(SESSION_ENDED);
}

function route() {
  const hash = location.hash;
  if (!hash.startsWith('#/')) {
    if (hash === '' || hash === '#') location.replace(session.token ? '#/positions' : '#/login');
    return; // an in-page anchor such as the skip link
  }
  const found = ROUTES.map(([re, view, navKey]) => [hash.match(re), view, navKey]).find(([m]) => m);
  if (!found) {
    location.replace(session.token ? '#/positions' : '#/login');
    return;
  }
  const [match, view, navKey] = found;
  if (!session.token && view !== login) {
    location.replace('#/login');
    return;
  }
  if (session.token && !ctx.store) startSession();
  cleanup?.();
  cleanup = null;
  clearNotice();
  if (!keepAlert) clearAlert();
  keepAlert = false;
  main.replaceChildren();
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.route === navKey) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  document.title = `${view.title} — Paper trading`;
  cleanup = view.render(main, ctx, ...match.slice(1)) || null;
  const heading = main.querySelector('h1');
  if (heading && routed && !main.contains(document.activeElement)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
  routed = true;
}

let routed = false;
let keepAlert = false;

setUnauthorizedHandler(expired);

// A token handed over in the address (#token=…) is taken and removed from the address at once.
if (location.hash.startsWith('#token=')) {
  const token = decodeURIComponent(location.hash.slice('#token='.length));
  history.replaceState(null, '', `${location.pathname}#/positions`);
  if (token) session.set(token);
}

document.getElementById('sign-out').addEventListener('click', signOut);
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  (main.querySelector('h1') || main).focus();
});
window.addEventListener('hashchange', route);
route();
