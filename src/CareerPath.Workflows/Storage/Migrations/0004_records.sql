-- Records are the one home of a contract's facts: the engine writes them in each transition's own
-- transaction (the definition's projection), so a contract row is never behind its workflow. Until
-- now the row was written once at creation; amendments, renewals, early ends and decisions lived
-- only in the instance's jsonb. This migration adds the decision, fills every record from the
-- instances' current data, and keeps what the rows already held.

ALTER TABLE contract
    ADD COLUMN termination_note      text CHECK (length(termination_note) <= 2000),
    -- The end in force: the latest amendment's (by effective date), else the signed end. Written by the
    -- same projection as the amendments, so lists and deadlines read one column.
    ADD COLUMN effective_end         date,
    ADD COLUMN decision_kind         text CHECK (decision_kind IN ('PermanentHireCdi', 'Titularisation', 'Renewal', 'NotRetained')),
    ADD COLUMN decision_reason       text CHECK (length(decision_reason) <= 2000),
    ADD COLUMN decided_on            date,
    ADD COLUMN decision_notified_on  date,
    ADD COLUMN decision_new_end      date,
    -- The date the decision had to be notified by, and whether it was notified after it.
    ADD COLUMN notice_deadline       date,
    ADD COLUMN decision_late         boolean,
    ADD CONSTRAINT contract_decision_complete CHECK ((decision_kind IS NULL) = (decided_on IS NULL));

-- Two amendments may take effect on the same day: the later one signed is the one in force, so each keeps its place.
ALTER TABLE contract_amendment ADD COLUMN seq integer;

-- Planning reads an advisor's whole career from here, and lists page by id.
CREATE INDEX contract_advisor_start ON contract (advisor_id, start_date);
