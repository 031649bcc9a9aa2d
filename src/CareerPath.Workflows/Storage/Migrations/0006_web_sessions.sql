-- Sessions of the web pages, kept on the server: the sign-in cookie names a row here, and is
-- honoured only while the row lives. Signing out, an administrator disabling the account or
-- changing its scope deletes the rows, which ends the session at once wherever a copy of the
-- cookie went. Each sign-in makes a new row (a new random id).
CREATE TABLE web_session (
    id          text PRIMARY KEY CHECK (length(id) BETWEEN 32 AND 100),
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);
CREATE INDEX web_session_expiry ON web_session (expires_at);
