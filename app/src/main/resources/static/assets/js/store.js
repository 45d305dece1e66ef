// What the dashboard knows about the user's trades and portfolio, fed by REST reloads and the live stream.
import { api, query } from './api.js';
import { ACTIVE } from './format.js';

export class Store {
  constructor() {
    this.trades = new Map();
    this.portfolio = null;
    this.loaded = false;
    /** Trades seen live (not ended) in this session: the positions page lists those that ended since. */
    this.seenActive = new Set();
    this.listeners = new Set();
    this.refreshing = null;
    this.queued = null;
  }

  /** fn(kind, payload): kind is 'trade' (a trade changed), 'portfolio' or 'refresh' (everything reloaded). */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(kind, payload) {
    for (const fn of [...this.listeners]) {
      try {
        fn(kind, payload);
      } catch (e) {
        console.error(e); // one broken view must not stop the others
      }
    }
  }

  /**
   * Keeps the highest version seen per trade: an older version is dropped; an equal one is accepted (a newer
   * price mark of the same version). Returns whether it was taken.
   */
  putTrade(trade) {
    if (!trade || !trade.tradeId) return false;
    const held = this.trades.get(trade.tradeId);
    if (held && Number(trade.version) < Number(held.version)) return false;
    this.trades.set(trade.tradeId, trade);
    if (ACTIVE.includes(trade.status)) this.seenActive.add(trade.tradeId);
    this.emit('trade', trade);
    return true;
  }

  putPortfolio(portfolio) {
    if (!portfolio) return;
    this.portfolio = portfolio;
    this.emit('portfolio', portfolio);
  }

  get(id) {
    return this.trades.get(id);
  }

  active() {
    return [...this.trades.values()].filter((t) => ACTIVE.includes(t.status))
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  }

  /** Trades that were live earlier in this session and have ended since. */
  endedThisSession() {
    return [...this.seenActive].map((id) => this.trades.get(id)).filter((t) => t && !ACTIVE.includes(t.status))
      .sort((a, b) => String(b.closedAt ?? b.updatedAt).localeCompare(String(a.closedAt ?? a.updatedAt)));
  }

  /** Reads one trade (waiting for minVersion when given) and keeps it. */
  async reloadTrade(id, minVersion) {
    const trade = await api(`/api/trades/${encodeURIComponent(id)}${query({ minVersion })}`);
    this.putTrade(trade);
    return trade;
  }

  /**
   * Reloads the live trades and the portfolio (after the stream's ready, on each poll, after an action).
   * Trades held as live that are no longer listed have ended: each is read once to learn how.
   */
  refresh() {
    if (this.refreshing) {
      // a reload asked for while one runs (say at the stream's ready) must read after this moment: queue one
      if (!this.queued) {
        this.queued = this.refreshing.catch(() => null).then(() => {
          this.queued = null;
          return this.refresh();
        });
      }
      return this.queued;
    }
    this.refreshing = (async () => {
      const [list, portfolio] = await Promise.all([
        api(`/api/trades${query({ status: ACTIVE, size: 500 })}`),
        api('/api/portfolio'),
      ]);
      const listed = new Set(list.items.map((t) => t.tradeId));
      const gone = this.active().filter((t) => !listed.has(t.tradeId));
      for (const t of list.items) this.putTrade(t);
      await Promise.all(gone.map((t) => this.reloadTrade(t.tradeId).catch(() => null)));
      this.putPortfolio(portfolio);
      this.loaded = true;
      this.emit('refresh');
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }
}
