-- What each transition costs PostgreSQL, measured again (issue 14, pg_stat_statements of a 100,000-advisor simulation).
--
-- 1. An instance's data (a contract's JSON, about 4.7 kB) is compressed at every update and decompressed at every
--    read: with lz4 rather than the default pglz, which is several times slower at both. Only values written from
--    now on change method; older ones stay readable as they are. A PostgreSQL built without lz4 keeps pglz
--    (a notice says so): this is speed, not meaning.
DO $$
BEGIN
    ALTER TABLE workflow_instance ALTER COLUMN data SET COMPRESSION lz4;
    ALTER TABLE outbox_message ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 compression is not available in this PostgreSQL (%): instance data stays compressed with pglz', SQLERRM;
END $$;

-- 2. No foreign-key check on the rows a transition writes beside its instance: its journal row, its timers, its tasks and
--    its messages. Each inserted row looked its instance up again (about 250,000 lookups for 4,000 advisors), although
--    the engine writes those rows only in the transaction that has just updated, and so locked, that very instance, and
--    never deletes an instance. Whatever deletes instances one day (an erasure) must delete these rows itself.
--    The instance's parent, the decision audit and the incidents keep theirs: they are written rarely.
ALTER TABLE workflow_journal DROP CONSTRAINT IF EXISTS workflow_journal_instance_id_fkey;
ALTER TABLE workflow_timer DROP CONSTRAINT IF EXISTS workflow_timer_instance_id_fkey;
ALTER TABLE human_task DROP CONSTRAINT IF EXISTS human_task_instance_id_fkey;
ALTER TABLE outbox_message DROP CONSTRAINT IF EXISTS outbox_message_instance_id_fkey;
