-- The installation's pool of language model provider keys (ReplyX's AI
-- tokens), which admins manage: the worker calls the model with the
-- first active key, by priority, allowed the model and with calls left
-- today and this month. sealed_token is the key sealed with the
-- installation's secret key (secretbox), never the key itself;
-- model_access is a JSON list, empty for every model; a limit of 0 is
-- none; base_url '' is PARLEY_LLM_BASE_URL.
CREATE TABLE ai_tokens (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	sealed_token  TEXT NOT NULL,
	base_url      TEXT NOT NULL,
	model_access  TEXT NOT NULL,
	daily_limit   INTEGER NOT NULL CHECK (daily_limit >= 0),
	monthly_limit INTEGER NOT NULL CHECK (monthly_limit >= 0),
	priority      INTEGER NOT NULL CHECK (priority >= 0),
	is_active     INTEGER NOT NULL CHECK (is_active IN (0, 1)),
	notes         TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;

-- Calls each key made, per UTC day ('YYYY-MM-DD'): a month's is the sum
-- of its days. tokens (prompt and completion) is kept for reports.
CREATE TABLE ai_token_usage (
	token_id INTEGER NOT NULL REFERENCES ai_tokens (id),
	day      TEXT NOT NULL,
	requests INTEGER NOT NULL,
	tokens   INTEGER NOT NULL,
	PRIMARY KEY (token_id, day)
) STRICT;
