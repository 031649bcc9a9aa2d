-- The access log hash-chained, as the decision log is: each row's hash covers its content and the previous row's
-- hash, so that editing, deleting or inserting a row breaks every link after it, and an erased tail shows against a
-- head exported earlier (GET /api/integrity, and the server log every day).
--
-- The chain is built by the database, in a BEFORE INSERT trigger, whoever inserts: the application's one INSERT
-- (AccessLogStore) does not know about it. The trigger takes an advisory lock for the rest of the transaction, then
-- gives the row the last row's hash as prev_hash, and its own hash; rows are chained, and numbered, in the order they
-- took the lock (a seq drawn before a row that locked first is drawn again). SECURITY DEFINER:
-- it runs as the table's owner, so an application role with INSERT and SELECT only on access_log (and no right on
-- its sequence) can still insert; its search_path is fixed so that nobody can slip a table or function in front.

ALTER TABLE access_log ADD COLUMN prev_hash text, ADD COLUMN hash text;

-- The canonical text of a row: every column in a fixed order and format (instants in UTC to the microsecond, which
-- is what PostgreSQL keeps), separated by the unit separator, then the previous hash. concat_ws skips a NULL: the
-- columns that may be NULL are written as empty fields instead, so that every row has as many fields.
CREATE FUNCTION access_log_hash(seq bigint, at timestamptz, user_id uuid, user_role text, action text, subject_kind text,
                                subject_id uuid, records integer, subject_ids uuid[], prev_hash text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(chr(31), seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                              coalesce(user_id::text, ''), user_role, action, subject_kind, coalesce(subject_id::text, ''),
                                              records::text, coalesce(subject_ids::text, ''), prev_hash), 'UTF8')), 'hex')
$$;

-- Chain the rows already written, in their order (the append-only trigger is set aside for this one update).
ALTER TABLE access_log DISABLE TRIGGER access_log_no_update_or_delete;
DO $$
DECLARE
    r record;
    prev text := repeat('0', 64);
    h text;
BEGIN
    FOR r IN SELECT * FROM access_log ORDER BY seq LOOP
        h := access_log_hash(r.seq, r.at, r.user_id, r.user_role, r.action, r.subject_kind, r.subject_id, r.records, r.subject_ids, prev);
        UPDATE access_log SET prev_hash = prev, hash = h WHERE seq = r.seq;
        prev := h;
    END LOOP;
END
$$;
ALTER TABLE access_log ENABLE TRIGGER access_log_no_update_or_delete;
ALTER TABLE access_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;

CREATE FUNCTION access_log_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last_seq bigint;
BEGIN
    -- One writer at a time extends the chain ("CPAcLog"); released with the transaction. Each statement below reads
    -- what was committed before the lock was granted (READ COMMITTED, as every insert of the application runs).
    PERFORM pg_advisory_xact_lock(18932650580666215);
    EXECUTE format('SELECT seq, hash FROM %I.access_log ORDER BY seq DESC LIMIT 1', TG_TABLE_SCHEMA) INTO last_seq, NEW.prev_hash;
    -- The seq drawn before the lock is behind a row that took the lock first: draw another, so that seq order is chain order.
    IF NEW.seq <= last_seq THEN
        EXECUTE format('SELECT nextval(pg_get_serial_sequence(%L, %L))', quote_ident(TG_TABLE_SCHEMA) || '.access_log', 'seq') INTO NEW.seq;
    END IF;
    NEW.prev_hash := coalesce(NEW.prev_hash, repeat('0', 64));
    EXECUTE format('SELECT %I.access_log_hash($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', TG_TABLE_SCHEMA)
        INTO NEW.hash
        USING NEW.seq, NEW.at, NEW.user_id, NEW.user_role, NEW.action, NEW.subject_kind, NEW.subject_id, NEW.records, NEW.subject_ids, NEW.prev_hash;
    RETURN NEW;
END
$$;
CREATE TRIGGER access_log_chain BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_chain();
