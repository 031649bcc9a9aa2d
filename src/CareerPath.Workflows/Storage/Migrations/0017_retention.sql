-- Retention (issue 15): what the daily retention job (Privacy/Retention.cs) needs from the schema.
--
-- 1. An advisor's phases. archived_on: the day the file left the active base (the last contract ended and its
--    12-month follow-up passed), after which only administrators and the HR lead read it, each read with a reason.
--    erased_on: the day the name, the e-mail and the free texts were erased; the records stay, under the pseudonyms
--    the union reports already use (a keyed hash of the id), so the outcome figures do not change.
ALTER TABLE advisor ADD COLUMN archived_on date, ADD COLUMN erased_on date,
    ADD CHECK (erased_on IS NULL OR archived_on IS NOT NULL);

-- 2. Each real run of the job: when, and how many rows of each category it archived, erased or deleted. Counts only,
--    never whom. A dry run writes nothing, not even here.
CREATE TABLE retention_run (
    id          uuid PRIMARY KEY,
    at          timestamptz NOT NULL,
    run_by      text NOT NULL CHECK (run_by IN ('job', 'admin', 'cli')),
    counts      jsonb NOT NULL
);
CREATE INDEX retention_run_at ON retention_run (at);

-- 3. The access log is kept 12 months (CNIL, délibération 2021-122), yet it is hash-chained and append-only. Its oldest
--    rows leave through one door, access_log_purge: it removes the chain's longest prefix older than the cut-off and
--    writes down the last removed row's seq and hash, the anchor. The first remaining row's prev_hash is that hash, so
--    the chain still verifies from the anchor on (IntegrityQueries), and a row removed any other way still breaks it.
CREATE TABLE access_log_anchor (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL,
    cut_off         timestamptz NOT NULL,
    purged_through  bigint NOT NULL,
    hash            text NOT NULL,
    rows_purged     bigint NOT NULL CHECK (rows_purged > 0)
);

-- The append-only trigger lets a DELETE through only inside access_log_purge: the function runs as the table's owner
-- and raises a transaction-local flag that the application role cannot raise for the owner.
CREATE OR REPLACE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('careerpath.access_log_purge', true) = 'on'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'access_log is append-only';
END
$$;

-- The function's search_path is pinned (SECURITY DEFINER), so the table's schema is written into its body now.
DO $migration$
BEGIN
    EXECUTE format($function$
CREATE FUNCTION access_log_purge(cut_off timestamptz, purged_at timestamptz) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
    through bigint;
    anchor_seq bigint;
    anchor_hash text;
    removed bigint;
BEGIN
    -- Never the last 6 months (the CNIL's shortest retention for an access log), whatever the caller asks: the moment is
    -- the application's clock (its TimeProvider), trusted here as everywhere; each purge leaves its anchor row to show it.
    IF cut_off > purged_at - interval '6 months' THEN
        RAISE EXCEPTION 'access_log_purge: the cut-off %% is less than 6 months before %%', cut_off, purged_at;
    END IF;
    -- The chain's lock (migration 0011): no row is chained while its start is cut.
    PERFORM pg_advisory_xact_lock(18932650580666215);
    -- The longest prefix in chain order (seq) whose rows are all older than the cut-off: a row written later with an
    -- earlier moment (another node's clock) waits for the rows chained before it.
    SELECT coalesce((SELECT min(seq) - 1 FROM %1$I.access_log WHERE at >= cut_off), (SELECT max(seq) FROM %1$I.access_log))
      INTO through;
    IF through IS NULL THEN
        RETURN 0;
    END IF;
    SELECT seq, hash INTO anchor_seq, anchor_hash FROM %1$I.access_log WHERE seq <= through ORDER BY seq DESC LIMIT 1;
    IF anchor_hash IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM set_config('careerpath.access_log_purge', 'on', true);
    DELETE FROM %1$I.access_log WHERE seq <= through;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('careerpath.access_log_purge', 'off', true);
    INSERT INTO %1$I.access_log_anchor (at, cut_off, purged_through, hash, rows_purged)
    VALUES (purged_at, cut_off, anchor_seq, anchor_hash, removed);
    RETURN removed;
END
$body$
$function$, current_schema());
END
$migration$;

-- Least privilege: the anchors and the runs are written once and never changed by the server; the purge is the
-- application's only way to remove access-log rows.
CREATE OR REPLACE FUNCTION grant_application_role(app_role name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['public', 'hangfire'] LOOP
        CONTINUE WHEN to_regnamespace(s) IS NULL;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, app_role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, app_role);
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, app_role);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', s, app_role);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', s, app_role);
    END LOOP;
    -- Append-only: what was written stays written (the triggers of 0002/0003 refuse it too, but a
    -- trigger is only as strong as the role that could disable it).
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON access_log, decision_audit, retention_run FROM %I', app_role);
    -- Written by access_log_purge only (as the owner).
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON access_log_anchor FROM %I', app_role);
    -- The migrator's own record: readable, never rewritten by the server.
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON schema_version FROM %I', app_role);
    EXECUTE format('GRANT SELECT ON schema_version TO %I', app_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION access_log_purge(timestamptz, timestamptz) TO %I', app_role);
END
$$;
REVOKE EXECUTE ON FUNCTION grant_application_role(name) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION access_log_purge(timestamptz, timestamptz) FROM PUBLIC;
