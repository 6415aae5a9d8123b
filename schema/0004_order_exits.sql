-- Two ends of an order (DESIGN.md §4): port_out_rejected (Telegent rejected a port-out, final
-- there) and closed (an operator ended the order locally with order.close). Neither is active:
-- the partial indexes are rebuilt with the new WHERE, which the store's queries repeat verbatim.
DROP INDEX orders_one_active_per_number;
CREATE UNIQUE INDEX orders_one_active_per_number
  ON orders (number, kind)
  WHERE state <> 'ineligible' AND state <> 'cancelled' AND state <> 'completed' AND state <> 'port_out_rejected' AND state <> 'closed';
DROP INDEX orders_schedule;
CREATE INDEX orders_schedule ON orders (id, state, next_check_at, in_flight)
  WHERE state <> 'ineligible' AND state <> 'cancelled' AND state <> 'completed' AND state <> 'port_out_rejected' AND state <> 'closed';

-- Telegent refused our cancel: the order only checks its status once and settles on it. Was
-- told by the wording of attention_reason, which a reworded message would have changed.
ALTER TABLE orders ADD COLUMN cancel_refused INTEGER NOT NULL DEFAULT 0 CHECK (cancel_refused IN (0, 1));
UPDATE orders SET cancel_refused = 1
  WHERE state = 'cancelling' AND needs_attention = 1
    AND attention_reason LIKE 'Telegent refused the cancel%';

-- When the first port-in submission that may have reached Telegent went out (ms, NULL when
-- none): a resend is safe only while the duplicate guard still covers that order.
ALTER TABLE orders ADD COLUMN ambiguous_since INTEGER;
UPDATE orders SET ambiguous_since = updated_at WHERE submit_ambiguous = 1;
