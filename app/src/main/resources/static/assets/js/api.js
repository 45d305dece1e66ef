// The HTTP client: bearer token from sessionStorage, JSON in and out, problem details as ApiError.
const TOKEN_KEY = 'paper.token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
  /** The token's subject (for display only: the server reads the user from the verified token). */
  get username() {
    const claims = decodeClaims(this.token);
    return claims && typeof claims.sub === 'string' ? claims.sub : null;
  },
};

function decodeClaims(token) {
  if (!token) return null;
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '==='.slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** A refused or failed request. status 0 means no answer (network). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  get code() {
    return this.problem.code;
  }

  get errors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * api('/api/trades', {method: 'POST', body: {...}, headers: {...}}) → parsed JSON (null for 204).
 * Throws ApiError; a 401 on an authenticated call also ends the session.
 */
export async function api(path, { method = 'GET', body, headers = {}, signal, auth = true } = {}) {
  const all = { Accept: 'application/json, application/problem+json', ...headers };
  const token = session.token;
  if (auth && token) all.Authorization = `Bearer ${token}`;
  if (body !== undefined) all['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'No answer', detail: 'The server could not be reached. Check that it runs and try again.' });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data && typeof data === 'object' ? data
      : { title: response.statusText || `HTTP ${response.status}`, detail: `The server answered ${response.status}.` });
    if (response.status === 401 && auth) onUnauthorized(error);
    throw error;
  }
  return data;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A random version-4 UUID (crypto.randomUUID needs a secure context; this works on plain http too). */
export function newKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
