-- What the payer asked of the payment provider with a top-up (ReplyX's
-- payment_method and return_url): the provider is given them, and
-- Parley's own payment page links back to return_url.
ALTER TABLE billing_invoices ADD COLUMN payment_method TEXT NOT NULL DEFAULT '';
ALTER TABLE billing_invoices ADD COLUMN return_url TEXT NOT NULL DEFAULT '';
