-- What an order still has to do, and why it waits for an operator, as named values (issue 17).
-- Four flags become two enumerations, and the kind of attention, until now told apart only by
-- the wording of attention_reason, gets a column of its own: rewording a message no longer
-- changes how an order already on disk behaves. attention_reason stays, as the human text.
-- The CHECKs are spelt with OR rather than IN (…): SQLite evaluates an IN list of more than two
-- values through a temporary b-tree, on every write of every order (see 0001_init.sql).

-- pending_intent: none | update | cancel | settle (cancelling: Telegent refused our cancel, one
-- status check settles the order). The flags never held two of these at once.
ALTER TABLE orders ADD COLUMN pending_intent TEXT NOT NULL DEFAULT 'none'
  CHECK (pending_intent = 'none' OR pending_intent = 'update' OR pending_intent = 'cancel'
         OR pending_intent = 'settle');
UPDATE orders SET pending_intent = CASE
    WHEN cancel_requested = 1 THEN 'cancel'
    WHEN update_pending = 1 THEN 'update'
    WHEN cancel_refused = 1 AND state = 'cancelling' THEN 'settle'
    ELSE 'none' END
  WHERE cancel_requested = 1 OR update_pending = 1 OR cancel_refused = 1;

-- submit_certainty: known | ambiguous (a submission may have created an order portd never
-- heard of; ambiguous_since says since when).
ALTER TABLE orders ADD COLUMN submit_certainty TEXT NOT NULL DEFAULT 'known'
  CHECK (submit_certainty IN ('known', 'ambiguous'));
UPDATE orders SET submit_certainty = 'ambiguous' WHERE submit_ambiguous = 1;

-- attention_kind: none when needs_attention is 0; otherwise told by the wording, for the last
-- time. The refused-cancel texts go first: one may end with an unknown status's text. What
-- matches nothing is the state's own reason (submit_unknown, rejected, failed), which like the
-- refused cancel and the stale alarm only a change of state ends.
ALTER TABLE orders ADD COLUMN attention_kind TEXT NOT NULL DEFAULT 'none'
  CHECK (attention_kind = 'none' OR attention_kind = 'operator_state'
         OR attention_kind = 'unknown_status' OR attention_kind = 'poll_refused'
         OR attention_kind = 'stale' OR attention_kind = 'cancel_refused'
         OR attention_kind = 'cancel_failing');
UPDATE orders SET attention_kind = CASE
    WHEN attention_reason LIKE 'Telegent refused the cancel:%'
      OR attention_reason LIKE '%; the order goes on there' THEN 'cancel_refused'
    WHEN attention_reason LIKE 'Telegent reports a status portd does not know:%' THEN 'unknown_status'
    WHEN attention_reason LIKE 'status poll refused:%' THEN 'poll_refused'
    WHEN attention_reason LIKE 'stale:%' THEN 'stale'
    WHEN attention_reason LIKE 'the cancel keeps failing:%' THEN 'cancel_failing'
    ELSE 'operator_state' END
  WHERE needs_attention = 1;

ALTER TABLE orders DROP COLUMN cancel_requested;
ALTER TABLE orders DROP COLUMN update_pending;
ALTER TABLE orders DROP COLUMN submit_ambiguous;
ALTER TABLE orders DROP COLUMN cancel_refused;
