// Live updates: GET /api/stream read with fetch (EventSource cannot send the bearer token), with its SSE
// frames parsed here; reconnects with Last-Event-ID; polls every 5 s when there is no stream.
import { session } from './api.js';

const POLL_MS = 5000;
const REPROBE_MS = 60000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 10000;
/** Heartbeats come every 15 s: three missed ones and the connection is taken for dead. */
const SILENCE_MS = 45000;

export class Live {
  /**
   * store: a Store; onStatus(state, text): 'connecting' | 'live' | 'reconnecting' | 'polling';
   * onUnauthorized(): the token was refused.
   */
  constructor(store, { onStatus = () => {}, onUnauthorized = () => {} } = {}) {
    this.store = store;
    this.onStatus = onStatus;
    this.onUnauthorized = onUnauthorized;
    this.lastEventId = null;
    this.retryMs = FIRST_RETRY_MS;
    this.stopped = true;
    this.controller = null;
    this.pollTimer = null;
    this.retryTimer = null;
    this.silenceTimer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.controller?.abort();
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.stopPolling();
  }

  status(state, text) {
    this.state = state;
    this.onStatus(state, text);
  }

  async connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.controller = new AbortController();
    const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${session.token}` };
    if (this.lastEventId !== null) headers['Last-Event-ID'] = this.lastEventId;
    if (this.state !== 'polling') this.status('connecting', 'Connecting…');
    let response;
    try {
      response = await fetch('/api/stream', { headers, signal: this.controller.signal, cache: 'no-store' });
    } catch (e) {
      if (!this.stopped) this.retryLater();
      return;
    }
    if (response.status === 404) {
      this.pollInstead('Updates every 5 s (this server has no live stream)');
      return;
    }
    if (response.status === 429) {
      this.pollInstead('Updates every 5 s: too many live connections are open for your user (close another tab to go live)');
      return;
    }
    if (response.status === 400 && this.lastEventId !== null) {
      // the server does not know our last id (another server, or a restart): start afresh; ready reloads all
      this.lastEventId = null;
      this.retryLater();
      return;
    }
    if (response.status === 401) {
      this.stop();
      this.onUnauthorized();
      return;
    }
    const type = response.headers.get('Content-Type') || '';
    if (!response.ok || !response.body || !type.startsWith('text/event-stream')) {
      response.body?.cancel().catch(() => {});
      this.retryLater();
      return;
    }
    try {
      await this.read(response.body);
    } catch (e) {
      // aborted or broken: reconnect below unless stopped
    }
    clearTimeout(this.silenceTimer);
    if (!this.stopped) this.retryLater();
  }

  /** No stream (404) or too many (429): poll now and every 5 s, and look for the stream again later. */
  pollInstead(text) {
    this.status('polling', text);
    this.startPolling();
    this.retryTimer = setTimeout(() => this.connect(), REPROBE_MS);
  }

  retryLater() {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.status('reconnecting', `Live updates interrupted; reconnecting in ${Math.round(wait / 1000)} s`);
    this.startPolling();
    this.retryTimer = setTimeout(() => this.connect(), wait);
  }

  startPolling() {
    if (this.pollTimer) return;
    this.store.refresh().catch(() => {});
    this.pollTimer = setInterval(() => this.store.refresh().catch(() => {}), POLL_MS);
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  armSilence() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.controller?.abort(), SILENCE_MS);
  }

  async read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser((event) => this.dispatch(event));
    this.armSilence();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      this.armSilence();
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  }

  dispatch({ type, data, id }) {
    if (id !== null) this.lastEventId = id;
    let payload = null;
    try {
      payload = data ? JSON.parse(data) : null;
    } catch {
      return; // not ours to understand
    }
    if (type === 'ready') {
      this.retryMs = FIRST_RETRY_MS;
      this.stopPolling();
      this.status('live', 'Live');
      // whatever happened before the stream started is in the REST data, read now
      this.store.refresh().catch(() => {});
    } else if (type === 'trade') {
      this.store.putTrade(payload);
    } else if (type === 'portfolio') {
      this.store.putPortfolio(payload);
    }
  }
}

/**
 * The server-sent events wire format: lines ending in CR, LF or CRLF; "field: value" lines (one leading space
 * of the value dropped); data lines joined with LF; a blank line ends an event; lines starting with ':' are
 * comments (heartbeats). The last id stays until another id replaces it.
 */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.type = '';
    this.data = [];
    this.id = null;
    this.sawId = false;
  }

  push(text) {
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\r' && i + 1 === this.buffer.length) break; // a CRLF may be split across chunks
      this.line(this.buffer.slice(start, i));
      if (c === '\r' && this.buffer[i + 1] === '\n') i += 1;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) {
      this.id = value;
      this.sawId = true;
    }
  }

  dispatch() {
    const event = { type: this.type || 'message', data: this.data.join('\n'), id: this.sawId ? this.id : null };
    this.type = '';
    this.data = [];
    this.sawId = false;
    if (event.data === '' && event.id === null) return;
    this.onEvent(event);
  }
}
