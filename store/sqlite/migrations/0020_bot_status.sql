-- Worken's bot status (active, disabled, error): a disabled bot takes no
-- new dialogs. deleted_at marks a bot deleted through the Worken API: it
-- leaves every list and lookup but its dialogs keep their bot.
ALTER TABLE bots ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'error'));
ALTER TABLE bots ADD COLUMN deleted_at TEXT;
