package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/parleyhq/parley/store"
)

const (
	accountColumns = `project_id, tariff, credits, bonus, subscription_until, created_at`
	invoiceColumns = `id, project_id, status, amount, credits, offer, tariff, period_days, payment_url, payment_method, return_url, created_at, paid_at`
	// openAccount opens an account unless it is open, returning a row only
	// when it opened it.
	openAccount = `INSERT INTO billing_accounts (project_id, tariff, credits, bonus, subscription_until, created_at, updated_at)
		VALUES (?, ?, 0, ?, NULL, ?, ?) ON CONFLICT (project_id) DO NOTHING RETURNING project_id`
	insertTransaction = `INSERT INTO billing_transactions (project_id, type, amount, bonus, description, invoice_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`
)

// BillingAccount returns a project's account; see store.Billing.
func (d *DB) BillingAccount(ctx context.Context, projectID int64) (*store.BillingAccount, error) {
	var a *store.BillingAccount
	err := d.read(ctx, "loading billing account", func(t *tx) error {
		var err error
		a, err = t.account(ctx, projectID, "")
		return err
	})
	return a, err
}

// account reads a project's account, locking its row with lock where rows
// are locked; a zero account when it was never opened, ENOTFOUND when the
// project does not exist.
func (t *tx) account(ctx context.Context, projectID int64, lock string) (*store.BillingAccount, error) {
	a := &store.BillingAccount{}
	err := t.queryRow(ctx, `SELECT `+accountColumns+` FROM billing_accounts WHERE project_id = ?`+t.lock(lock), projectID).
		Scan(&a.ProjectID, &a.Tariff, &a.Credits, &a.Bonus, nullTimeScanner{&a.SubscriptionUntil}, timeScanner{&a.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return nil, err
		}
		return &store.BillingAccount{ProjectID: projectID, Tariff: store.DefaultTariff}, nil
	}
	return a, err
}

// OpenBillingAccount opens a project's account with a bonus; see
// store.Billing.
func (d *DB) OpenBillingAccount(ctx context.Context, projectID int64, bonus store.Amount, why string) (*store.BillingAccount, error) {
	if bonus < 0 {
		return nil, store.FieldErrorf(store.EINVALID, "bonus", "A bonus cannot be negative, got %s.", bonus)
	}
	var a *store.BillingAccount
	err := d.write(ctx, "opening billing account", func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return err
		}
		now := d.now()
		var id int64
		err := t.queryRow(ctx, openAccount, projectID, store.DefaultTariff, int64(bonus), d.ts(now), d.ts(now)).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows): // open already
		case err != nil:
			return err
		case bonus > 0:
			if _, err := t.addTransaction(ctx, store.Transaction{ProjectID: projectID, Type: store.TransactionBonus,
				Amount: bonus, Bonus: bonus, Description: why, CreatedAt: now}); err != nil {
				return err
			}
		}
		a, err = t.account(ctx, projectID, "")
		return err
	})
	return a, err
}

// addTransaction records tx, returning its id.
func (t *tx) addTransaction(ctx context.Context, tr store.Transaction) (int64, error) {
	var invoice any
	if tr.InvoiceID != "" {
		invoice = tr.InvoiceID
	}
	var id int64
	err := t.queryRow(ctx, insertTransaction, tr.ProjectID, tr.Type, int64(tr.Amount), int64(tr.Bonus), tr.Description, invoice,
		t.db.ts(tr.CreatedAt)).Scan(&id)
	return id, err
}

// Charge takes an amount from a project's account, bonus first; see
// store.Billing.
func (d *DB) Charge(ctx context.Context, c store.Charge) (*store.Transaction, error) {
	if c.Amount <= 0 {
		return nil, store.FieldErrorf(store.EINVALID, "amount", "A charge must be more than 0 credits, got %s.", c.Amount)
	}
	tr := &store.Transaction{ProjectID: c.ProjectID, Type: store.TransactionCharge, Description: c.Description}
	err := d.write(ctx, "charging billing account", func(t *tx) error {
		a, err := t.account(ctx, c.ProjectID, "FOR UPDATE")
		if err != nil {
			return err
		}
		take := c.Amount
		if before := a.Balance(); before < take {
			if !c.UpTo {
				return store.Errorf(store.EINSUFFICIENT, "The balance (%s credits) cannot pay %s credits. Top it up: POST /billing/invoices.",
					before, c.Amount)
			}
			take = before
		}
		if take == 0 {
			return nil
		}
		fromBonus := min(a.Bonus, take)
		tr.CreatedAt = d.now()
		tr.Amount, tr.Bonus = -take, -fromBonus
		_, err = t.exec(ctx, `UPDATE billing_accounts SET credits = credits - ?, bonus = bonus - ?, updated_at = ? WHERE project_id = ?`,
			int64(take-fromBonus), int64(fromBonus), d.ts(tr.CreatedAt), c.ProjectID)
		if err != nil {
			return err
		}
		if tr.ID, err = t.addTransaction(ctx, *tr); err != nil {
			return err
		}
		if after := a.Balance() - take; c.LowAt > 0 && a.Balance() >= c.LowAt && after < c.LowAt {
			t.log(store.Event{ProjectID: c.ProjectID, Type: store.EventBillingBalanceLow, Data: store.EventData{Extra: map[string]any{
				"credits": (a.Credits - (take - fromBonus)).Float(), "bonus": (a.Bonus - fromBonus).Float(),
				"balance": after.Float(), "threshold": c.LowAt.Float(),
			}}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return tr, nil
}

// Transactions lists a project's transactions, newest first; see
// store.Billing.
func (d *DB) Transactions(ctx context.Context, q store.TransactionQuery) ([]store.Transaction, int, error) {
	switch {
	case q.Limit < 1 || q.Limit > store.MaxTransactionLimit:
		return nil, 0, store.FieldErrorf(store.EINVALID, "limit", "limit must be a whole number from 1 to %d, got %d.", store.MaxTransactionLimit, q.Limit)
	case q.Offset < 0:
		return nil, 0, store.FieldErrorf(store.EINVALID, "offset", "offset must be 0 or more, got %d.", q.Offset)
	}
	where, args := `WHERE project_id = ?`, []any{q.ProjectID}
	if len(q.Types) > 0 {
		where += ` AND type IN (` + marks(len(q.Types)) + `)`
		for _, t := range q.Types {
			args = append(args, t)
		}
	}
	var out []store.Transaction
	var total int
	err := d.read(ctx, "listing transactions", func(t *tx) error {
		err := t.queryRow(ctx, `SELECT count(*) FROM billing_transactions `+where, args...).Scan(&total)
		if err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT id, project_id, type, amount, bonus, description, coalesce(invoice_id, ''), created_at
			FROM billing_transactions `+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
		if err != nil {
			return err
		}
		out, err = collect(rows, func(r scanner, tr *store.Transaction) error {
			return r.Scan(&tr.ID, &tr.ProjectID, &tr.Type, &tr.Amount, &tr.Bonus, &tr.Description, &tr.InvoiceID, timeScanner{&tr.CreatedAt})
		})
		return err
	})
	return out, total, err
}

// BillingTotals sums up a project's spending; see store.Billing.
func (d *DB) BillingTotals(ctx context.Context, projectID int64) (*store.BillingTotals, error) {
	var spent int64
	out := &store.BillingTotals{}
	err := d.read(ctx, "summing up billing", func(t *tx) error {
		err := t.queryRow(ctx, `SELECT coalesce(-sum(amount), 0) FROM billing_transactions WHERE project_id = ? AND type = ?`,
			projectID, store.TransactionCharge).Scan(&spent)
		if err != nil {
			return err
		}
		return t.queryRow(ctx, `SELECT count(*) FROM billing_invoices WHERE project_id = ? AND status = ?`,
			projectID, store.InvoicePending).Scan(&out.PendingInvoices)
	})
	out.Spent = store.Amount(spent)
	return out, err
}

// CreateInvoice stores a pending invoice; see store.Billing.
func (d *DB) CreateInvoice(ctx context.Context, inv *store.Invoice) error {
	switch {
	case inv.ID == "":
		return store.FieldErrorf(store.EINVALID, "id", "An invoice needs an id (store.NewInvoiceID).")
	case inv.Amount <= 0:
		return store.FieldErrorf(store.EINVALID, "amount", "An invoice's amount must be more than 0, got %s.", inv.Amount)
	case inv.Credits <= 0:
		return store.FieldErrorf(store.EINVALID, "credits", "An invoice must add more than 0 credits, got %s.", inv.Credits)
	case inv.PeriodDays < 0:
		return store.FieldErrorf(store.EINVALID, "period_days", "A plan's period cannot be negative, got %d days.", inv.PeriodDays)
	}
	inv.Status, inv.CreatedAt, inv.PaidAt = store.InvoicePending, d.now(), nil
	return d.write(ctx, "creating invoice", func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", inv.ProjectID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO billing_invoices (`+invoiceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
			inv.ID, inv.ProjectID, inv.Status, int64(inv.Amount), int64(inv.Credits), inv.Offer, inv.Tariff, inv.PeriodDays,
			inv.PaymentURL, inv.PaymentMethod, inv.ReturnURL, d.ts(inv.CreatedAt))
		if d.isUnique(err) {
			return store.Errorf(store.ECONFLICT, "An invoice with the id %s exists already.", inv.ID)
		}
		return err
	})
}

// Invoices lists a project's invoices, newest first; see store.Billing.
func (d *DB) Invoices(ctx context.Context, projectID int64) ([]store.Invoice, error) {
	return list(ctx, d, "listing invoices", scanInvoice,
		`SELECT `+invoiceColumns+` FROM billing_invoices WHERE project_id = ? ORDER BY created_at DESC, id DESC`, projectID)
}

func scanInvoice(r scanner, inv *store.Invoice) error {
	return r.Scan(&inv.ID, &inv.ProjectID, &inv.Status, &inv.Amount, &inv.Credits, &inv.Offer, &inv.Tariff, &inv.PeriodDays,
		&inv.PaymentURL, &inv.PaymentMethod, &inv.ReturnURL, timeScanner{&inv.CreatedAt}, nullTimeScanner{&inv.PaidAt})
}

// Invoice returns an invoice by its id; see store.Billing.
func (d *DB) Invoice(ctx context.Context, id string) (*store.Invoice, error) {
	inv := &store.Invoice{}
	err := scanInvoice(d.queryRow(ctx, `SELECT `+invoiceColumns+` FROM billing_invoices WHERE id = ?`, id), inv)
	if err != nil {
		return nil, wrap("loading invoice", notFound(err, "Invoice", id))
	}
	return inv, nil
}

// PayInvoice pays a pending invoice once; see store.Billing.
func (d *DB) PayInvoice(ctx context.Context, id string) (*store.Invoice, bool, error) {
	inv := &store.Invoice{}
	paid := false
	err := d.write(ctx, "paying invoice", func(t *tx) error {
		now := d.now()
		// The status check and the change are one statement: of payers
		// racing, one changes the row and the others, who waited for its
		// lock, find it paid.
		err := scanInvoice(t.queryRow(ctx, `UPDATE billing_invoices SET status = ?, paid_at = ? WHERE id = ? AND status = ? RETURNING `+invoiceColumns,
			store.InvoicePaid, d.ts(now), id, store.InvoicePending), inv)
		if errors.Is(err, sql.ErrNoRows) {
			return t.settled(ctx, id, inv, store.InvoicePaid)
		}
		if err != nil {
			return err
		}
		paid = true
		return t.topUp(ctx, inv, now)
	})
	if err != nil {
		return nil, false, err
	}
	return inv, paid, nil
}

// settled reads an invoice that is not pending into inv: nil when its
// status is want, ECONFLICT when it is the other one, ENOTFOUND when there
// is no such invoice.
func (t *tx) settled(ctx context.Context, id string, inv *store.Invoice, want string) error {
	err := scanInvoice(t.queryRow(ctx, `SELECT `+invoiceColumns+` FROM billing_invoices WHERE id = ?`, id), inv)
	switch {
	case err != nil:
		return notFound(err, "Invoice", id)
	case inv.Status == want:
		return nil
	case inv.Status == store.InvoiceCancelled:
		return store.Errorf(store.ECONFLICT, "Invoice %s was cancelled; create a new one.", id)
	case inv.Status == store.InvoicePaid:
		return store.Errorf(store.ECONFLICT, "Invoice %s is paid already.", id)
	}
	return store.Errorf(store.ECONFLICT, "Invoice %s is %s.", id, inv.Status)
}

// topUp adds a paid invoice's credits (and plan) to its project's account,
// opening the account if it is not open.
func (t *tx) topUp(ctx context.Context, inv *store.Invoice, now time.Time) error {
	if _, err := t.exec(ctx, openAccount, inv.ProjectID, store.DefaultTariff, 0, t.db.ts(now), t.db.ts(now)); err != nil {
		return err
	}
	a, err := t.account(ctx, inv.ProjectID, "FOR UPDATE")
	if err != nil {
		return err
	}
	tariff, until := a.Tariff, a.SubscriptionUntil
	if inv.Tariff != "" {
		from := now
		if until != nil && until.After(now) {
			from = *until
		}
		end := from.AddDate(0, 0, inv.PeriodDays)
		tariff, until = inv.Tariff, &end
	}
	_, err = t.exec(ctx, `UPDATE billing_accounts SET credits = credits + ?, tariff = ?, subscription_until = ?, updated_at = ? WHERE project_id = ?`,
		int64(inv.Credits), tariff, t.db.tsPtr(until), t.db.ts(now), inv.ProjectID)
	if err != nil {
		return err
	}
	_, err = t.addTransaction(ctx, store.Transaction{ProjectID: inv.ProjectID, Type: store.TransactionTopup, Amount: inv.Credits,
		Description: topupDescription(inv), InvoiceID: inv.ID, CreatedAt: now})
	return err
}

func topupDescription(inv *store.Invoice) string {
	if inv.Offer == "" {
		return "Invoice " + inv.ID + " paid"
	}
	return "Invoice " + inv.ID + " paid (" + inv.Offer + ")"
}

// CancelInvoice cancels a pending invoice; see store.Billing.
func (d *DB) CancelInvoice(ctx context.Context, id string) (*store.Invoice, error) {
	inv := &store.Invoice{}
	err := d.write(ctx, "cancelling invoice", func(t *tx) error {
		err := scanInvoice(t.queryRow(ctx, `UPDATE billing_invoices SET status = ? WHERE id = ? AND status = ? RETURNING `+invoiceColumns,
			store.InvoiceCancelled, id, store.InvoicePending), inv)
		if errors.Is(err, sql.ErrNoRows) {
			return t.settled(ctx, id, inv, store.InvoiceCancelled)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
