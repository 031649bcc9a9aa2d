-- The program's national view (issue 12): a fifth role for the State's coordinators, and where each
-- structure is, so that counts can be given by département and region.

ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'hr', 'advisor', 'auditor', 'program'));

-- The INSEE code of the structure's département (01…95, 2A, 2B, 971…976); null when not known yet
-- (structures recorded before this column). The region is derived from it in the domain.
ALTER TABLE structure ADD COLUMN departement text
    CHECK (departement ~ '^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$' AND departement <> '20');
CREATE INDEX structure_departement ON structure (departement);
