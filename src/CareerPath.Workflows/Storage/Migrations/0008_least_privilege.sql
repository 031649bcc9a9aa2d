-- Least privilege (issue 13). The server logs in as an application role that owns nothing: it reads
-- and writes rows; on the append-only logs it may only add and read. This function holds that
-- policy; the migrator calls it, as the schema's owner, after every run, with the role named by the
-- careerpath.application_role setting of its connection (Storage/LeastPrivilege.cs). Without that
-- setting (a single connection string) nothing is granted and the server keeps running as the owner.
--
-- Default privileges make a table that a later migration creates (as the owner) readable and
-- writable by the application at once; a later append-only table must be added to the REVOKE below
-- (CREATE OR REPLACE this function in that migration).
CREATE FUNCTION grant_application_role(app_role name) RETURNS void LANGUAGE plpgsql AS $$
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
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON access_log, decision_audit FROM %I', app_role);
    -- The migrator's own record: readable, never rewritten by the server.
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON schema_version FROM %I', app_role);
    EXECUTE format('GRANT SELECT ON schema_version TO %I', app_role);
END
$$;

-- Only the owner (who runs the migrations) grants.
REVOKE EXECUTE ON FUNCTION grant_application_role(name) FROM PUBLIC;
