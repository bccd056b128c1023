-- A webhook's format is how its deliveries are written: 'standard'
-- (Parley's event types and data) or 'worken' (Worken's WebhookEvent, for
-- endpoints made through the Worken API). It is set when the webhook is
-- made; every webhook before this one is standard.
ALTER TABLE webhooks ADD COLUMN format TEXT NOT NULL DEFAULT 'standard'
	CHECK (format IN ('standard', 'worken'));
