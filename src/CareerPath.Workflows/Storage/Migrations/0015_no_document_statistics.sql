-- No planner statistics on the JSON documents the engine writes (issue 14).
--
-- ANALYZE sorts a sample of up to 30,000 values of every column to build its statistics, and a jsonb value must be
-- decompressed to be compared. On a 4,000-advisor simulation, `perf` of the whole machine found 19 % of its samples in
-- autovacuum's ANALYZE as the tables grew, these documents among what it sorted (14 % after this change). No statement
-- filters, joins or sorts on them (queries read fields out of them, and no index covers them since migration 0013), so
-- their statistics never choose a plan: ANALYZE now skips them, and keeps the statistics of every other column as fresh
-- as before.
ALTER TABLE workflow_instance ALTER COLUMN data SET STATISTICS 0;
ALTER TABLE workflow_journal ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE workflow_timer ALTER COLUMN explanation SET STATISTICS 0;
ALTER TABLE outbox_message ALTER COLUMN data SET STATISTICS 0;
