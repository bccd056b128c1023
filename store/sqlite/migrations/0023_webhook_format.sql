-- A webhook's format is how its deliveries are written: 'standard'
-- (Parley's event types and data) or 'worken' (Worken's WebhookEvent, for
-- endpoints made through the Worken API). It is set when the webhook is
-- made; every webhook before this one is standard. The rule is written with
-- OR, which SQLite checks in place (see 0016).
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'standard'
	CHECK (format = 'standard' OR format = 'worken');
