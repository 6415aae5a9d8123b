-- Retention ([retention] delivered_outbox): delivered rows are deleted oldest first once they
-- are older than the configured age. This index finds them without reading the whole outbox;
-- it costs one entry per delivery. (Incremental auto-vacuum, which gives the freed pages back
-- to the file system, cannot be turned on inside a migration's transaction: the store does it
-- when it opens the database, see repository.cpp.)
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
