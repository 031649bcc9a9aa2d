-- The mail server's state as every node sees it: one row. While unreachable_since is set, no node sends
-- anything but one probe per interval (next_probe_at), and no message is charged an attempt. Moments come
-- from the application's TimeProvider, as everywhere.
CREATE TABLE mail_circuit (
    id                 integer PRIMARY KEY CHECK (id = 1),
    -- NULL: delivering. Otherwise the first failure of this outage.
    unreachable_since  timestamptz,
    next_probe_at      timestamptz,
    -- The kind of failure and its codes, never the server's free text (it may quote an address).
    last_error         text,
    failed_probes      integer NOT NULL DEFAULT 0,
    -- The outage's one incident, once it has lasted longer than Smtp:OutageIncidentAfter.
    incident_id        uuid REFERENCES incident (id),
    CHECK ((unreachable_since IS NULL) = (next_probe_at IS NULL))
);
INSERT INTO mail_circuit (id) VALUES (1);
