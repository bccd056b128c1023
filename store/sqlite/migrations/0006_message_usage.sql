-- The token usage of the model call that wrote a message, for billing.
-- All three are NULL for a message no model wrote; usage_model is set
-- whenever a usage is stored.
ALTER TABLE messages ADD COLUMN usage_model TEXT;
ALTER TABLE messages ADD COLUMN usage_prompt_tokens INTEGER CHECK (usage_prompt_tokens >= 0);
ALTER TABLE messages ADD COLUMN usage_completion_tokens INTEGER CHECK (usage_completion_tokens >= 0);
