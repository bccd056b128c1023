-- Billing (store.Billing): one account per project, opened on first use;
-- amounts are thousandths of a credit (or of the offers' currency), so
-- sums are exact. A balance never goes below zero.
CREATE TABLE billing_accounts (
	project_id         BIGINT PRIMARY KEY REFERENCES projects (id),
	tariff             TEXT NOT NULL,
	credits            BIGINT NOT NULL CHECK (credits >= 0),
	bonus              BIGINT NOT NULL CHECK (bonus >= 0),
	subscription_until TIMESTAMPTZ,
	created_at         TIMESTAMPTZ NOT NULL,
	updated_at         TIMESTAMPTZ NOT NULL
);

-- Every change of a balance. amount is signed (a charge is negative);
-- bonus is the part of it that changed the bonus. A topup names the
-- invoice it paid, at most once: paying twice counts once.
CREATE TABLE billing_transactions (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id  BIGINT NOT NULL REFERENCES projects (id),
	type        TEXT NOT NULL CHECK (type IN ('charge', 'topup', 'bonus', 'refund')),
	amount      BIGINT NOT NULL,
	bonus       BIGINT NOT NULL,
	description TEXT NOT NULL,
	invoice_id  TEXT UNIQUE,
	created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX billing_transactions_project ON billing_transactions (project_id, id);

-- Invoices: id is "inv_..." (random; it is in payment links). A plan's
-- invoice carries its tariff and period, set on the account when paid.
CREATE TABLE billing_invoices (
	id          TEXT PRIMARY KEY,
	project_id  BIGINT NOT NULL REFERENCES projects (id),
	status      TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled')),
	amount      BIGINT NOT NULL CHECK (amount > 0),
	credits     BIGINT NOT NULL CHECK (credits > 0),
	offer       TEXT NOT NULL,
	tariff      TEXT NOT NULL,
	period_days INTEGER NOT NULL,
	payment_url TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	paid_at     TIMESTAMPTZ
);
CREATE INDEX billing_invoices_project ON billing_invoices (project_id, created_at);
