-- Sessions people understand (issue 15): each session gets a public id to
-- name it in a URL without revealing its secret, the browser's user agent
-- (truncated by the application), where and when it was last used; API
-- tokens get when and where they were last used. `last_used_at` is written
-- at most once a minute per session or token (the application compares the
-- stored value), so a busy session does not write on every request.
-- A person's chosen language ('sv' or 'en'; NULL: none chosen, the
-- browser's) follows them to every device they sign in on.
ALTER TABLE sessions ADD COLUMN public_id BLOB;
-- Sessions from before get a random id of their own; new ones a UUIDv7.
UPDATE sessions SET public_id = randomblob(16) WHERE public_id IS NULL;
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN source TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;

ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_source TEXT;

ALTER TABLE people ADD COLUMN language TEXT CHECK (language IN ('sv', 'en'));
