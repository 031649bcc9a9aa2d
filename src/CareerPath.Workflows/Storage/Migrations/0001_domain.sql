-- The program's reference data: employer structures, funded posts and their grant conventions,
-- advisors and their contracts. Workflow state lives in later migrations.
-- Personal data is kept minimal: an advisor is a name, a work e-mail and one flag.

CREATE TABLE structure (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind          text NOT NULL CHECK (kind IN ('Commune', 'Epci', 'Departement', 'Association', 'OtherSocialEconomy')),
    legal_regime  text NOT NULL CHECK (legal_regime IN ('Public', 'Private')),
    siret         text UNIQUE CHECK (siret ~ '^[0-9]{14}$')
);

CREATE TABLE hr_contact (
    id            uuid PRIMARY KEY,
    structure_id  uuid NOT NULL REFERENCES structure (id) ON DELETE CASCADE,
    full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    is_lead       boolean NOT NULL DEFAULT false
);
CREATE INDEX hr_contact_structure ON hr_contact (structure_id);
-- One HR lead per structure: escalations go to exactly one person.
CREATE UNIQUE INDEX hr_contact_one_lead ON hr_contact (structure_id) WHERE is_lead;

CREATE TABLE funded_post (
    id            uuid PRIMARY KEY,
    structure_id  uuid NOT NULL REFERENCES structure (id),
    label         text NOT NULL CHECK (length(label) BETWEEN 1 AND 200)
);
CREATE INDEX funded_post_structure ON funded_post (structure_id);

CREATE TABLE grant_convention (
    id            uuid PRIMARY KEY,
    post_id       uuid NOT NULL REFERENCES funded_post (id) ON DELETE CASCADE,
    source        text NOT NULL CHECK (source IN ('State', 'DepartementTopUp', 'Other')),
    wave          text NOT NULL CHECK (wave IN ('FirstWave', 'Renewal2023')),
    amount_eur    numeric(12, 2) NOT NULL CHECK (amount_eur > 0),
    start_date    date NOT NULL,
    end_date      date NOT NULL,
    CHECK (end_date > start_date)
);
CREATE INDEX grant_convention_post ON grant_convention (post_id);

CREATE TABLE grant_tranche (
    convention_id uuid NOT NULL REFERENCES grant_convention (id) ON DELETE CASCADE,
    seq           integer NOT NULL CHECK (seq >= 1),
    amount_eur    numeric(12, 2) NOT NULL CHECK (amount_eur > 0),
    expected_on   date NOT NULL,
    received_on   date,
    PRIMARY KEY (convention_id, seq)
);

CREATE TABLE advisor (
    id                         uuid PRIMARY KEY,
    full_name                  text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    work_email                 text NOT NULL UNIQUE CHECK (length(work_email) BETWEEN 3 AND 254),
    -- Used for one thing only: notice periods are doubled (décret 88-145, art. 38-1).
    has_recognised_disability  boolean NOT NULL DEFAULT false
);

CREATE TABLE contract (
    id                   uuid PRIMARY KEY,
    advisor_id           uuid NOT NULL REFERENCES advisor (id),
    post_id              uuid NOT NULL REFERENCES funded_post (id),
    contract_type        text NOT NULL CHECK (contract_type IN ('Cdd', 'Cdi', 'Pec', 'ContratDeProjet')),
    legal_regime         text NOT NULL CHECK (legal_regime IN ('Public', 'Private')),
    start_date           date NOT NULL,
    end_date             date,
    previous_contract_id uuid REFERENCES contract (id),
    terminated_on        date,
    termination_reason   text CHECK (termination_reason IN ('Resignation', 'Dismissal', 'MutualAgreement', 'TrialFailed', 'Other')),
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK (contract_type = 'Cdi' OR end_date IS NOT NULL),
    CHECK ((terminated_on IS NULL) = (termination_reason IS NULL)),
    CHECK (terminated_on IS NULL OR terminated_on >= start_date)
);
CREATE INDEX contract_advisor ON contract (advisor_id);
CREATE INDEX contract_post ON contract (post_id);
-- A chain of renewals is a list: each contract is renewed at most once.
CREATE UNIQUE INDEX contract_renewed_once ON contract (previous_contract_id) WHERE previous_contract_id IS NOT NULL;

CREATE TABLE contract_amendment (
    id              uuid PRIMARY KEY,
    contract_id     uuid NOT NULL REFERENCES contract (id) ON DELETE CASCADE,
    effective_on    date NOT NULL,
    new_end_date    date NOT NULL,
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000)
);
CREATE INDEX contract_amendment_contract ON contract_amendment (contract_id, effective_on);
