-- A placed trade's entry leg is handed to the order desk twice: in the placement's own transaction, so the order
-- goes to the broker at once, and again when the execution saga starts, for trades an earlier version placed. A leg
-- the desk is done with keeps its row, marked done and no longer worked, until the saga ends and forgets the trade's
-- legs: the saga's late hand-over then finds the tag and sends nothing. Legs of ended trades (silent) still go at
-- once.
ALTER TABLE desk_orders ADD COLUMN done boolean NOT NULL DEFAULT false;

-- The desk reads only the legs it works, account by account.
DROP INDEX ix_desk_orders_account;
CREATE INDEX ix_desk_orders_account ON desk_orders (account_key) WHERE NOT done;
