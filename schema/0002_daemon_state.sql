-- Small facts about the daemon itself that must survive a restart, e.g. the end of a pause
-- Telegent asked for with a 429 (a restart inside it must not send anything).
CREATE TABLE daemon_state (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;
