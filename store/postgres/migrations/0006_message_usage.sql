-- The token usage of the model call that wrote a message, for billing.
-- All three are NULL for a message no model wrote; usage_model is set
-- whenever a usage is stored.
ALTER TABLE messages
	ADD COLUMN usage_model TEXT,
	ADD COLUMN usage_prompt_tokens BIGINT CHECK (usage_prompt_tokens >= 0),
	ADD COLUMN usage_completion_tokens BIGINT CHECK (usage_completion_tokens >= 0);
