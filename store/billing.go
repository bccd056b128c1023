package store

import (
	"context"
	"math"
	"strconv"
	"time"
)

// Billing keeps one account per project: its credits and bonus, the
// transactions that changed them and the invoices that top them up. A
// balance never goes below zero. It is part of Store.
type Billing interface {
	// BillingAccount returns a project's account. A project whose account
	// was never opened has a zero one (Opened false), which pays nothing.
	// ENOTFOUND for an unknown project.
	BillingAccount(ctx context.Context, projectID int64) (*BillingAccount, error)
	// OpenBillingAccount opens a project's account with bonus credits (and
	// a bonus transaction saying why) and returns it; an account already
	// open is returned as it is, however often or concurrently this runs.
	// ENOTFOUND for an unknown project; EINVALID for a negative bonus.
	OpenBillingAccount(ctx context.Context, projectID int64, bonus Amount, why string) (*BillingAccount, error)
	// Charge takes c.Amount from a project's account, bonus first, then
	// credits, and records a charge transaction (its Amount negative),
	// all or nothing. EINSUFFICIENT when the account holds less, unless
	// c.UpTo; EINVALID for an amount that is not positive.
	Charge(ctx context.Context, c Charge) (*Transaction, error)
	// Transactions lists a project's transactions of q.Types (all when
	// none), newest first, from q.Offset, at most q.Limit (1 to
	// MaxTransactionLimit), and how many match in all. EINVALID for a
	// limit or offset out of range.
	Transactions(ctx context.Context, q TransactionQuery) ([]Transaction, int, error)
	// BillingTotals sums up a project's spending and counts its pending
	// invoices.
	BillingTotals(ctx context.Context, projectID int64) (*BillingTotals, error)

	// CreateInvoice stores a pending invoice, setting its Status and
	// CreatedAt. inv.ID must be new (NewInvoiceID): ECONFLICT otherwise;
	// EINVALID for an empty ID or a price or credits that are not
	// positive; ENOTFOUND for an unknown project.
	CreateInvoice(ctx context.Context, inv *Invoice) error
	// Invoices lists a project's invoices, newest first.
	Invoices(ctx context.Context, projectID int64) ([]Invoice, error)
	// Invoice returns an invoice of any project by its id (payment
	// providers and the CLI know no project); ENOTFOUND if there is none.
	Invoice(ctx context.Context, id string) (*Invoice, error)
	// PayInvoice marks a pending invoice paid and adds its credits to its
	// project's account with one topup transaction; a plan's invoice also
	// sets the tariff and extends the subscription. Paying an invoice
	// already paid changes nothing and reports paid false, however many
	// payers race. ENOTFOUND for an unknown invoice; ECONFLICT for a
	// cancelled one.
	PayInvoice(ctx context.Context, id string) (inv *Invoice, paid bool, err error)
	// CancelInvoice cancels a pending invoice (a cancelled one stays so).
	// ENOTFOUND for an unknown invoice; ECONFLICT for a paid one.
	CancelInvoice(ctx context.Context, id string) (*Invoice, error)
}

// TransactionQuery asks for a page of a project's transactions.
type TransactionQuery struct {
	ProjectID     int64
	Limit, Offset int
	Types         []string // TransactionCharge, ...; none: every type
}

// BillingTotals are a project's figures over all its transactions.
type BillingTotals struct {
	Spent           Amount // what its charges took, as a positive amount
	PendingInvoices int
}

// MaxTransactionLimit is the most transactions one page may hold.
const MaxTransactionLimit = 100

// Amount is a quantity of credits or of money, exact to a thousandth: it
// counts thousandths, so sums never drift. It reads and writes in JSON as
// a decimal number (1500 is 1.5).
type Amount int64

// Credits is one credit (or one unit of a currency) as an Amount.
const Credits Amount = 1000

// AmountOf returns f as an Amount, rounded to the nearest thousandth.
func AmountOf(f float64) Amount { return Amount(math.Round(f * float64(Credits))) }

// Float returns the amount as a decimal number.
func (a Amount) Float() float64 { return float64(a) / float64(Credits) }

func (a Amount) String() string { return strconv.FormatFloat(a.Float(), 'f', -1, 64) }

// MarshalJSON writes the amount as a decimal number.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads a decimal number, rounded to a thousandth.
func (a *Amount) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*a = AmountOf(f)
	return nil
}

// DefaultTariff is the tariff of an account that never bought a plan.
const DefaultTariff = "free"

// BillingAccount is a project's balance: Credits bought and Bonus
// (promotional credits, spent first).
type BillingAccount struct {
	ProjectID         int64
	Tariff            string
	Credits           Amount
	Bonus             Amount
	SubscriptionUntil *time.Time // nil without a plan
	CreatedAt         time.Time  // zero for an account never opened
}

// Opened reports whether the account was opened (is stored).
func (a *BillingAccount) Opened() bool { return !a.CreatedAt.IsZero() }

// Balance is what the account can pay: bonus and credits.
func (a *BillingAccount) Balance() Amount { return a.Credits + a.Bonus }

// Charge asks to take an amount from a project's account.
type Charge struct {
	ProjectID   int64
	Amount      Amount // more than 0
	Description string
	// UpTo takes what the account holds when that is less than Amount,
	// down to zero, instead of refusing: for usage already spent (a model
	// call that was made). The transaction's Amount says what was taken;
	// when nothing was, no transaction is recorded and its ID is 0.
	UpTo bool
	// LowAt, when positive, is the low-balance threshold: a charge that
	// takes the balance from LowAt or more to below it logs one
	// EventBillingBalanceLow in its transaction.
	LowAt Amount
}

// Transaction types.
const (
	TransactionCharge = "charge"
	TransactionTopup  = "topup"
	TransactionBonus  = "bonus"
	TransactionRefund = "refund"
)

// Transaction is one change of an account's balance. Amount is signed:
// what the balance changed by (a charge is negative); Bonus is the part of
// it that changed the bonus.
type Transaction struct {
	ID          int64
	ProjectID   int64
	Type        string
	Amount      Amount
	Bonus       Amount
	Description string
	InvoiceID   string // the invoice a topup paid, "" for none
	CreatedAt   time.Time
}

// Invoice statuses.
const (
	InvoicePending   = "pending"
	InvoicePaid      = "paid"
	InvoiceCancelled = "cancelled"
)

// Invoice asks for a payment that tops up a project's account.
type Invoice struct {
	ID         string // "inv_" and 24 base62 characters: unguessable, it is in payment links
	ProjectID  int64
	Status     string
	Amount     Amount // the price, in the currency of offers
	Credits    Amount // what paying adds to the account's credits
	Offer      string // the offer's id
	Tariff     string // a plan's tariff, set on the account when paid; "" for a top-up
	PeriodDays int    // how long a plan's subscription runs, from payment
	PaymentURL string
	// PaymentMethod and ReturnURL are what the payer asked of the payment
	// provider ("" for none): how to pay, and where to go back to after.
	PaymentMethod string
	ReturnURL     string
	CreatedAt     time.Time
	PaidAt        *time.Time
}

// NewInvoiceID returns a new random invoice id.
func NewInvoiceID() (string, error) {
	s, err := RandomBase62(24)
	if err != nil {
		return "", err
	}
	return "inv_" + s, nil
}
