-- The person's profile as the client gave it when the dialog began (id,
-- name, email, phone, ...), so operators see who they talk to; until now
-- it lived only in the dialog's workflow. JSON; {} when none was given.
ALTER TABLE dialogs ADD COLUMN user_profile JSON NOT NULL DEFAULT '{}';
