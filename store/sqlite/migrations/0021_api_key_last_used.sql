-- When each API key was last used, to within a minute: the auth path writes
-- it at most once a minute per key, not on every request. NULL until used.
ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
