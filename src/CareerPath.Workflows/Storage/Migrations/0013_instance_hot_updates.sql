-- Every transition rewrites its instance row (state, data, version). Measured in a 1,000-advisor simulation
-- (issue 14): that UPDATE cost 1.9 ms and 200 buffer reads per row, the largest share of the engine's time.
--
-- 1. No index on the instance's data. The expression index on data->'advisor'->>'id' made every update touch
--    all five indexes of the table (PostgreSQL cannot update in place, "HOT", when an indexed expression's
--    column changes, whatever its value). Since the records (0004), no query looks instances up by it: who an
--    advisor is comes from contract.advisor_id.
DROP INDEX IF EXISTS workflow_instance_advisor;

-- 2. Room on each page for the next version of its rows, so that an update stays on its page (HOT) and writes
--    no index entry; and vacuum after 5 % of the rows changed rather than 20 %: an instance is rewritten a dozen
--    times in its life, and dead versions otherwise fill the pages the next updates look for room in.
ALTER TABLE workflow_instance SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);

-- 3. The same earlier vacuum for the rows the sweeper marks and re-arms: a fired timer stays in the index of pending
--    timers until vacuum, and the sweeper's "earliest pending timer" reads walked over those entries.
ALTER TABLE workflow_timer SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE human_task SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);
