-- Sessions of the web pages, kept on the server: the cookie carries only the key of a row here, so
-- signing out, an administrator disabling the account or changing its scope ends the session at
-- once, wherever a copy of the cookie went. The ticket is ASP.NET Core's serialized authentication
-- ticket (claims rebuilt from app_user at each request anyway).
CREATE TABLE web_session (
    id          text PRIMARY KEY CHECK (length(id) BETWEEN 32 AND 100),
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    ticket      bytea NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX web_session_user ON web_session (user_id);
CREATE INDEX web_session_expiry ON web_session (expires_at);
