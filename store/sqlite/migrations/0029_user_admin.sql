-- A user may administer the whole installation (ReplyX's is_admin: the
-- admin routes); last_login_at is their last sign-in, for the admin's
-- list of users.
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));
ALTER TABLE users ADD COLUMN last_login_at TEXT;
