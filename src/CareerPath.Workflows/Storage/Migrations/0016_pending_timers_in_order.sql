-- An instance's pending timers indexed in the order they fire (issue 14).
--
-- The sweeper claims a due timer only if no earlier timer of its instance is pending (so an instance's timers fire in
-- order). Through the index on instance_id alone, each candidate fetched every pending timer of its instance from the
-- heap (about fourteen) to compare their order: the claim was the costliest statement of a sweep burst, 44 to 127 ms
-- for 500 timers (pg_stat_statements in the benchmark harness). Ordered by (due_at, ordinal, id), the same question is
-- one probe of the index, which finds nothing for an instance's earliest timer. The re-arm, which reads an instance's
-- pending timers, uses the new index the way it used the old one (by its first column).
CREATE INDEX workflow_timer_pending_order ON workflow_timer (instance_id, due_at, ordinal, id) WHERE fired_at IS NULL;
DROP INDEX workflow_timer_pending;
