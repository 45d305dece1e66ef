-- Row-level security on every read-model table. The user is bound per transaction with
-- select set_config('app.current_user', ?, true); with no user bound current_setting(..., true) is null or ''
-- and no row matches. FORCE makes the policies apply to the table owner too (superusers still bypass RLS,
-- which is why request handling uses the NOSUPERUSER NOBYPASSRLS app role).

ALTER TABLE paper_trades ENABLE ROW LEVEL SECURITY;
ALTER TABLE paper_trades FORCE ROW LEVEL SECURITY;
CREATE POLICY paper_trades_user_isolation ON paper_trades
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

-- username is carried directly (no subquery on paper_trades), so the policy costs a column comparison
ALTER TABLE state_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE state_transitions FORCE ROW LEVEL SECURITY;
CREATE POLICY state_transitions_user_isolation ON state_transitions
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

ALTER TABLE price_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE price_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY price_snapshots_user_isolation ON price_snapshots
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));

ALTER TABLE user_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY user_settings_user_isolation ON user_settings
    USING (username = current_setting('app.current_user', true))
    WITH CHECK (username = current_setting('app.current_user', true));
