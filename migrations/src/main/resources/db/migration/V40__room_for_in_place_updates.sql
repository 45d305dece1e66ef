-- Rows updated in place several times in their first seconds (a trade's row and facts at each event, a saga, an
-- order desk leg): with every page filled to the brim, each update's new version went to another page and every
-- index of the table got a new entry, 0 of 20,500 updates heap-only (HOT) on analytics_trades and desk_orders under
-- load. Room left on each page lets an update that changes no indexed column stay on its page and skip the indexes.
-- Pages written from now on keep it; a bulk rebuild's shadows keep it too, since a switch makes them the live tables.
ALTER TABLE paper_trades SET (fillfactor = 80);
ALTER TABLE paper_trades_rebuild SET (fillfactor = 80);
ALTER TABLE analytics_trades SET (fillfactor = 80);
ALTER TABLE analytics_trades_rebuild SET (fillfactor = 80);
ALTER TABLE desk_orders SET (fillfactor = 80);
ALTER TABLE saga_entry SET (fillfactor = 80);
