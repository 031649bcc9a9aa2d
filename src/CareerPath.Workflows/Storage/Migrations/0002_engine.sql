-- The workflow engine: instances, their journal, timers, human tasks, the outbox, the
-- hash-chained decision audit log and incidents. Every moment is written from the application's
-- TimeProvider (a parameter), never from the database clock, so tests can fast-forward.

CREATE TABLE workflow_instance (
    id                  uuid PRIMARY KEY,
    definition_id       text NOT NULL,
    definition_version  integer NOT NULL,
    state               text NOT NULL,
    data                jsonb NOT NULL,
    -- Optimistic concurrency: a transition updates the row only from the version it read.
    version             integer NOT NULL,
    subject_id          uuid NOT NULL,
    structure_id        uuid,
    parent_id           uuid REFERENCES workflow_instance (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    closed_at           timestamptz
);
CREATE INDEX workflow_instance_subject ON workflow_instance (definition_id, subject_id);
CREATE INDEX workflow_instance_structure ON workflow_instance (structure_id);
CREATE INDEX workflow_instance_running ON workflow_instance (definition_id, definition_version) WHERE closed_at IS NULL;

CREATE TABLE workflow_journal (
    instance_id      uuid NOT NULL REFERENCES workflow_instance (id),
    seq              integer NOT NULL,
    at               timestamptz NOT NULL,
    actor            text NOT NULL,
    trigger          text NOT NULL,
    from_state       text,
    to_state         text NOT NULL,
    reason           text,
    payload          jsonb,
    idempotency_key  text,
    PRIMARY KEY (instance_id, seq)
);
-- The same key twice is one transition.
CREATE UNIQUE INDEX workflow_journal_idempotency ON workflow_journal (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE workflow_timer (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id    uuid NOT NULL REFERENCES workflow_instance (id),
    name           text NOT NULL,
    trigger        text NOT NULL,
    due_on         date NOT NULL,
    due_at         timestamptz NOT NULL,
    ordinal        integer NOT NULL,
    armed_in_state text NOT NULL,
    armed_seq      integer NOT NULL,
    rule_id        text NOT NULL,
    explanation    jsonb NOT NULL,
    fired_at       timestamptz,
    outcome        text CHECK (outcome IN ('Fired', 'Ignored', 'Failed'))
);
CREATE INDEX workflow_timer_due ON workflow_timer (due_at, ordinal, id) WHERE fired_at IS NULL;
-- One timer occurrence is an instance, a name and a due day: re-arming looks them up this way,
-- and removes an instance's pending timers through the partial index (not through the due-time one,
-- which holds every pending timer of every instance).
CREATE INDEX workflow_timer_occurrence ON workflow_timer (instance_id, name, due_on);
CREATE INDEX workflow_timer_pending ON workflow_timer (instance_id) WHERE fired_at IS NULL;

CREATE TABLE human_task (
    id               uuid PRIMARY KEY,
    instance_id      uuid NOT NULL REFERENCES workflow_instance (id),
    kind             text NOT NULL,
    structure_id     uuid,
    assignee_role    text NOT NULL,
    title            text NOT NULL,
    due_on           date NOT NULL,
    escalation_on    date,
    opened_at        timestamptz NOT NULL,
    escalated_at     timestamptz,
    completed_at     timestamptz,
    completed_by     text,
    outcome          text,
    reason           text,
    status           text NOT NULL CHECK (status IN ('Open', 'Completed', 'Cancelled'))
);
CREATE INDEX human_task_open ON human_task (structure_id, due_on) WHERE status = 'Open';
CREATE INDEX human_task_instance ON human_task (instance_id);

CREATE TABLE outbox_message (
    id                 uuid PRIMARY KEY,
    instance_id        uuid REFERENCES workflow_instance (id),
    created_at         timestamptz NOT NULL,
    recipient_role     text NOT NULL,
    recipient_address  text NOT NULL,
    template_id        text NOT NULL,
    data               jsonb NOT NULL,
    -- One reminder per instance, template and occasion, whatever retries or replays happen.
    dedupe_key         text NOT NULL UNIQUE,
    status             text NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Sent', 'Failed')),
    attempts           integer NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL,
    sent_at            timestamptz,
    last_error         text
);
CREATE INDEX outbox_message_pending ON outbox_message (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX outbox_message_instance ON outbox_message (instance_id);

CREATE TABLE decision_audit (
    seq          bigint PRIMARY KEY,
    instance_id  uuid NOT NULL REFERENCES workflow_instance (id),
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    kind         text NOT NULL,
    -- The exact text that was hashed: jsonb would normalise it and break verification.
    details      text NOT NULL,
    prev_hash    text NOT NULL,
    hash         text NOT NULL UNIQUE
);

CREATE TABLE incident (
    id            uuid PRIMARY KEY,
    instance_id   uuid REFERENCES workflow_instance (id),
    effect        text NOT NULL,
    effect_ref    text NOT NULL,
    error         text NOT NULL,
    attempts      integer NOT NULL,
    created_at    timestamptz NOT NULL,
    resolved_at   timestamptz,
    resolved_by   text
);
CREATE INDEX incident_open ON incident (created_at) WHERE resolved_at IS NULL;
