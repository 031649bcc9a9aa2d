-- What an Idempotency-Key was first sent with: the method, the route and a SHA-256 of the canonical body.
-- The same key with another request is refused (422) instead of silently answering the first request's result.
-- Kept in the journal row itself, so a key is remembered exactly as long as the transition it made
-- (journal rows are never deleted). Rows written before this column, and keys of timers, have none: not compared.
ALTER TABLE workflow_journal ADD COLUMN request_fingerprint text;
