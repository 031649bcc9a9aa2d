-- Fills the records from the instances' current data (0004 added what they keep). Safe to run again:
-- rows are inserted once, columns set from the latest instance of each contract, amendments by id.

-- Contract rows the engine had not written (renewals signed through a decision), from the latest instance of each contract.
WITH latest AS (
    SELECT DISTINCT ON (subject_id) subject_id, data
      FROM workflow_instance
     WHERE definition_id = 'advisor-contract'
     ORDER BY subject_id, created_at DESC
)
INSERT INTO contract (id, advisor_id, post_id, contract_type, legal_regime, start_date, end_date, previous_contract_id)
SELECT l.subject_id, (l.data #>> '{contract,advisorId}')::uuid, (l.data #>> '{contract,postId}')::uuid,
       l.data #>> '{contract,type}', l.data #>> '{contract,regime}',
       (l.data #>> '{contract,start}')::date, (l.data #>> '{contract,end}')::date, (l.data #>> '{contract,previousContractId}')::uuid
  FROM latest l
 WHERE EXISTS (SELECT 1 FROM advisor a WHERE a.id = (l.data #>> '{contract,advisorId}')::uuid)
   AND EXISTS (SELECT 1 FROM funded_post p WHERE p.id = (l.data #>> '{contract,postId}')::uuid)
ON CONFLICT (id) DO NOTHING;

WITH latest AS (
    SELECT DISTINCT ON (subject_id) subject_id, data
      FROM workflow_instance
     WHERE definition_id = 'advisor-contract'
     ORDER BY subject_id, created_at DESC
)
UPDATE contract c
   SET end_date             = (l.data #>> '{contract,end}')::date,
       previous_contract_id = (l.data #>> '{contract,previousContractId}')::uuid,
       terminated_on        = (l.data #>> '{contract,earlyTermination,date}')::date,
       termination_reason   = l.data #>> '{contract,earlyTermination,reason}',
       termination_note     = l.data #>> '{contract,earlyTermination,note}',
       effective_end        = (l.data #>> '{contract,effectiveEnd}')::date,
       decision_kind        = l.data #>> '{decision,kind}',
       decision_reason      = l.data #>> '{decision,reason}',
       decided_on           = (l.data #>> '{decision,decidedOn}')::date,
       decision_notified_on = (l.data #>> '{decision,notifiedOn}')::date,
       decision_new_end     = (l.data #>> '{decision,newEnd}')::date,
       decision_late        = CASE WHEN l.data -> 'decision' IS NOT NULL AND l.data -> 'decision' <> 'null'::jsonb
                                   THEN (l.data ->> 'decisionLate')::boolean END
  FROM latest l
 WHERE c.id = l.subject_id;

-- Rows no instance ever changed: their end in force is the signed end.
UPDATE contract SET effective_end = end_date WHERE effective_end IS NULL;

INSERT INTO contract_amendment (id, contract_id, effective_on, new_end_date, reason, seq)
SELECT (a ->> 'id')::uuid, c.id, (a ->> 'effectiveOn')::date, (a ->> 'newEnd')::date, a ->> 'reason', n::integer
  FROM workflow_instance i
  JOIN contract c ON c.id = i.subject_id
 CROSS JOIN LATERAL jsonb_array_elements(COALESCE(i.data #> '{contract,amendments}', '[]'::jsonb)) WITH ORDINALITY AS x(a, n)
 WHERE i.definition_id = 'advisor-contract'
ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq;

-- The date a decision had to be notified by was in its audit entry only: the record and the instance get it.
WITH due AS (
    SELECT DISTINCT ON (d.details::jsonb ->> 'contractId') (d.details::jsonb ->> 'contractId')::uuid AS contract_id,
           (d.details::jsonb ->> 'noticeDeadline')::date AS notice_deadline
      FROM decision_audit d
     WHERE d.details::jsonb ->> 'noticeDeadline' IS NOT NULL
     ORDER BY d.details::jsonb ->> 'contractId', d.seq DESC
)
UPDATE contract c SET notice_deadline = due.notice_deadline
  FROM due WHERE c.id = due.contract_id AND c.decision_kind IS NOT NULL AND c.notice_deadline IS NULL;

UPDATE workflow_instance i SET data = jsonb_set(i.data, '{decisionDueOn}', to_jsonb(c.notice_deadline::text))
  FROM contract c
 WHERE i.definition_id = 'advisor-contract' AND c.id = i.subject_id AND c.notice_deadline IS NOT NULL
   AND i.data -> 'decision' IS NOT NULL AND i.data -> 'decision' <> 'null'::jsonb
   AND (i.data -> 'decisionDueOn' IS NULL OR i.data -> 'decisionDueOn' = 'null'::jsonb);


-- An instance no longer keeps a copy of the advisor's earlier contracts: planning reads them from the records.
UPDATE workflow_instance SET data = data - 'earlierContracts'
 WHERE definition_id = 'advisor-contract' AND data ? 'earlierContracts';

-- The running contracts' timers were planned from their own copy of the career, under the rules as they were
-- (a second contract created through the API or an import did not count the first; exactly 4 months broke the
-- chain; a recognised disability doubled the notice). Each gets a timer, due at once (a day long past), whose
-- trigger plans its deadlines again from the records with today's rules: the sweeper fires them at its next run.
INSERT INTO workflow_timer (instance_id, name, trigger, due_on, due_at, ordinal, armed_in_state, armed_seq, rule_id, explanation)
SELECT i.id, 'records.replan', 'CareerChanged', DATE '2000-01-01', TIMESTAMPTZ '2000-01-01 07:00:00+00', 0, i.state, i.version, 'records.replan',
       jsonb_build_object('key', 'records.replan', 'label', 'Recalculer les échéances à partir des registres',
                          'date', '2000-01-01', 'unadjustedDate', '2000-01-01', 'ruleId', 'records.replan', 'inputs', '[]'::jsonb,
                          'steps', jsonb_build_array('Mise à jour de CareerPath : les échéances sont recalculées avec la carrière entière du conseiller.'))
  FROM workflow_instance i
 WHERE i.definition_id = 'advisor-contract' AND i.closed_at IS NULL
   AND i.state IN ('Recruited', 'TrialPeriod', 'InitialTraining', 'AwaitingCertification', 'Active', 'MidContractReview', 'DecisionPending')
   AND NOT EXISTS (SELECT 1 FROM workflow_timer t WHERE t.instance_id = i.id AND t.name = 'records.replan' AND t.due_on = DATE '2000-01-01');
