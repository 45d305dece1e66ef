-- The simulated exchange takes its order ids in blocks: one nextval reserves the 50 ids from the value it returns,
-- instead of a round trip per order inside the account's locked transaction. A node that still takes one id per
-- nextval uses the first of a block nobody else gets, so old and new nodes never share an id.
ALTER SEQUENCE sim_order_ids INCREMENT BY 50;
