-- Whether the request of the call in flight may have left. Set, and synced, right before a
-- submission is written to Telegent, after it waited for the budget: a restart that finds a
-- submit intent without it knows that attempt reached nobody and simply makes it again,
-- instead of treating it as ambiguous (a port-out would need an operator).
ALTER TABLE orders ADD COLUMN request_sent INTEGER NOT NULL DEFAULT 0 CHECK (request_sent IN (0, 1));
-- Written by a portd that did not know this column: any call it had out may have left.
UPDATE orders SET request_sent = 1 WHERE in_flight IS NOT NULL;
