-- What a person asked for, in their own words, beside the task it opened: an advisor's request to correct their data
-- (GDPR art. 16) names the field and the corrected value. Kept apart from the title, which the dashboards and the
-- weekly digest e-mail show, and from reason, which holds the words of whoever closes the task.
ALTER TABLE human_task ADD COLUMN request text CHECK (request IS NULL OR length(request) <= 2000);
