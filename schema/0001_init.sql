-- portd's first schema: orders, their append-only history, and the notification outbox.
-- Times are INTEGER milliseconds since the Unix epoch (UTC). Enumerations are stored as the
-- names porting::to_string gives them, so that the database reads well in the sqlite3 shell.
-- Migrations are append-only: never edit this file once released; add 0002_*.sql instead.

CREATE TABLE orders (
  id                 INTEGER PRIMARY KEY,
  kind               TEXT    NOT NULL CHECK (kind IN ('port_in', 'port_out')),
  number             TEXT    NOT NULL,
  state              TEXT    NOT NULL,
  needs_attention    INTEGER NOT NULL DEFAULT 0 CHECK (needs_attention IN (0, 1)),
  attention_reason   TEXT    NOT NULL DEFAULT '',
  remote_order_id    TEXT    NOT NULL DEFAULT '',
  remote_status      TEXT    NOT NULL DEFAULT '',
  remote_message     TEXT    NOT NULL DEFAULT '',
  reported_port_date TEXT    NOT NULL DEFAULT '',
  client_ref         TEXT    CHECK (client_ref <> ''),  -- NULL when none
  group_name         TEXT    NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  state_since        INTEGER NOT NULL,
  next_check_at      INTEGER,
  attempts           INTEGER NOT NULL DEFAULT 0,
  last_error_reason  TEXT,                              -- all three NULL when no error
  last_error_message TEXT,
  last_error_at      INTEGER,
  carrier            TEXT    NOT NULL DEFAULT '',
  account_number     TEXT    NOT NULL DEFAULT '',
  subscriber_name    TEXT    NOT NULL DEFAULT '',
  billing_street1    TEXT    NOT NULL DEFAULT '',
  billing_street2    TEXT    NOT NULL DEFAULT '',
  billing_city       TEXT    NOT NULL DEFAULT '',
  billing_state      TEXT    NOT NULL DEFAULT '',
  billing_zip        TEXT    NOT NULL DEFAULT '',
  iccid              TEXT    NOT NULL DEFAULT '',
  classification     TEXT    NOT NULL DEFAULT 'mvno',
  port_in_date       TEXT    NOT NULL DEFAULT '',
  account_id         TEXT    NOT NULL DEFAULT '',
  subscriber_id      TEXT    NOT NULL DEFAULT '',
  -- Secrets (DESIGN.md rule 5): emptied when the order reaches a terminal state.
  account_pin        TEXT    NOT NULL DEFAULT '',
  port_out_pin       TEXT    NOT NULL DEFAULT '',
  skip_eligibility   INTEGER NOT NULL DEFAULT 0 CHECK (skip_eligibility IN (0, 1)),
  -- Intents (rules 1 and 2): committed before the call leaves.
  in_flight          TEXT,                              -- a call_kind name, NULL when none
  cancel_requested   INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  update_pending     INTEGER NOT NULL DEFAULT 0 CHECK (update_pending IN (0, 1)),
  submit_ambiguous   INTEGER NOT NULL DEFAULT 0 CHECK (submit_ambiguous IN (0, 1)),
  cancel_reason      TEXT    NOT NULL DEFAULT '',
  last_seq           INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Rule 6: one active order per number and kind. The WHERE text is repeated verbatim by the
-- store's queries so that SQLite's planner recognises them as covered by these partial indexes.
-- It is spelt with <> rather than NOT IN (…): SQLite evaluates an IN list of more than two
-- values through a temporary b-tree, on every write of every order.
CREATE UNIQUE INDEX orders_one_active_per_number
  ON orders (number, kind)
  WHERE state <> 'ineligible' AND state <> 'cancelled' AND state <> 'completed';
CREATE UNIQUE INDEX orders_client_ref ON orders (client_ref) WHERE client_ref IS NOT NULL;
CREATE INDEX orders_remote_order_id ON orders (remote_order_id) WHERE remote_order_id <> '';
CREATE INDEX orders_number ON orders (number);
CREATE INDEX orders_group ON orders (group_name) WHERE group_name <> '';
CREATE INDEX orders_state ON orders (state);
CREATE INDEX orders_needs_attention ON orders (needs_attention) WHERE needs_attention = 1;
-- The scheduler's start-up read (every active order): covering, so that a million finished
-- orders cost nothing at restart.
CREATE INDEX orders_schedule ON orders (id, state, next_check_at, in_flight)
  WHERE state <> 'ineligible' AND state <> 'cancelled' AND state <> 'completed';

-- Append-only history. AUTOINCREMENT: an id is never reused, so event ids only grow and a
-- watcher can resume "after id N" without gaps or repeats.
CREATE TABLE order_events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id      INTEGER NOT NULL REFERENCES orders (id),
  seq           INTEGER NOT NULL CHECK (seq > 0),
  at            INTEGER NOT NULL,
  type          TEXT    NOT NULL,
  from_state    TEXT    NOT NULL,
  to_state      TEXT    NOT NULL,
  remote_status TEXT    NOT NULL DEFAULT '',
  actor         TEXT    NOT NULL DEFAULT '',
  message       TEXT    NOT NULL DEFAULT '',
  raw           TEXT    NOT NULL DEFAULT '',
  UNIQUE (order_id, seq)
) STRICT;

-- One row per event per sink until delivered (at-least-once, in order per order and sink).
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES order_events (id),
  sink            TEXT    NOT NULL,
  order_id        INTEGER NOT NULL REFERENCES orders (id),
  state           TEXT    NOT NULL DEFAULT 'pending'
                          CHECK (state = 'pending' OR state = 'delivered' OR state = 'dead'),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT    NOT NULL DEFAULT '',
  delivered_at    INTEGER,
  UNIQUE (event_id, sink)
) STRICT;

-- The dispatcher's work list: pending rows of a sink, per order, oldest first.
CREATE INDEX outbox_pending ON outbox (sink, order_id, id) WHERE state = 'pending';
CREATE INDEX outbox_dead ON outbox (sink, id) WHERE state = 'dead';
