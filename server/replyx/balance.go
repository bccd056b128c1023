package replyx

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// ReplyX's balance is the project's billing account (package billing),
// the one Worken's /billing routes show: balance is its credits and bonus,
// a debit a charge, a credit a top-up, bonus or refund. A top-up is an
// invoice of the payment provider for the amount at the first top-up
// offer's rate.

const topUpBody = `{"amount": 1000.0, "payment_method": "card", "return_url": "https://example.com/success"}`

// topUpLimit is the document's: 3 top-ups per 10 minutes, per caller.
var topUpLimit = server.RouteLimit{N: 3, Period: 10 * time.Minute}

// balanceJSON is ReplyX's balance.
type balanceJSON struct {
	Balance             store.Amount `json:"balance"`
	WelcomeBonus        store.Amount `json:"welcome_bonus"`
	TotalSpent          store.Amount `json:"total_spent"`
	PendingTransactions int          `json:"pending_transactions"`
	Currency            string       `json:"currency"`
}

// getBalance is GET /api/balance.
func (h *handlers) getBalance(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	bill := h.BillingService()
	a, err := bill.Account(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	totals, err := h.Store.BillingTotals(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, balanceJSON{Balance: a.Balance(), WelcomeBonus: a.Bonus, TotalSpent: totals.Spent,
		PendingTransactions: totals.PendingInvoices, Currency: bill.Config.Currency})
}

// transactionJSON is ReplyX's transaction: amount is signed, what the
// balance changed by.
type transactionJSON struct {
	ID          int64          `json:"id"`
	Type        string         `json:"type"`
	Amount      store.Amount   `json:"amount"`
	Description string         `json:"description"`
	ServiceType string         `json:"service_type"`
	Details     map[string]any `json:"details"`
	CreatedAt   time.Time      `json:"created_at"`
}

// serviceTypes are ReplyX's service_type of Parley's transaction types.
var serviceTypes = map[string]string{store.TransactionCharge: "ai_message", store.TransactionTopup: "balance_topup",
	store.TransactionBonus: "welcome_bonus", store.TransactionRefund: "refund"}

// transactionTypes are Parley's transaction types of ReplyX's type filter.
var transactionTypes = map[string][]string{"debit": {store.TransactionCharge},
	"credit": {store.TransactionTopup, store.TransactionBonus, store.TransactionRefund}}

func transactionOf(tr *store.Transaction) transactionJSON {
	out := transactionJSON{ID: tr.ID, Type: "credit", Amount: tr.Amount, Description: tr.Description,
		ServiceType: serviceTypes[tr.Type], Details: map[string]any{}, CreatedAt: tr.CreatedAt.UTC()}
	if tr.Type == store.TransactionCharge {
		out.Type = "debit"
	}
	if tr.InvoiceID != "" {
		out.Details["invoice_id"] = tr.InvoiceID
	}
	if tr.Bonus != 0 {
		out.Details["bonus"] = tr.Bonus
	}
	return out
}

// listTransactions is GET /api/balance/transactions.
func (h *handlers) listTransactions(c *gin.Context) {
	q := store.TransactionQuery{ProjectID: server.CallerOf(c).ProjectID}
	var err error
	if q.Limit, err = intParam(c, "limit", 50, 1, store.MaxTransactionLimit); err != nil {
		fail(c, err)
		return
	}
	if q.Offset, err = intParam(c, "offset", 0, 0, 1<<30); err != nil {
		fail(c, err)
		return
	}
	if kind := c.Query("type"); kind != "" {
		if q.Types = transactionTypes[kind]; q.Types == nil {
			fail(c, store.FieldErrorf(store.EINVALID, "type", "type is debit or credit, not %q.", kind))
			return
		}
	}
	txs, total, err := h.Store.Transactions(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]transactionJSON, len(txs))
	for i := range txs {
		out[i] = transactionOf(&txs[i])
	}
	c.JSON(http.StatusOK, gin.H{"transactions": out, "total": total})
}

// topUpJSON is a top-up begun: pay it at payment_url.
type topUpJSON struct {
	PaymentID  string       `json:"payment_id"`
	Status     string       `json:"status"`
	Amount     store.Amount `json:"amount"`
	Credits    store.Amount `json:"credits"`
	Currency   string       `json:"currency"`
	PaymentURL string       `json:"payment_url"`
	CreatedAt  time.Time    `json:"created_at"`
}

// topUp is POST /api/balance/top-up: an invoice for amount; the balance
// grows when the provider confirms its payment.
func (h *handlers) topUp(c *gin.Context) {
	var body struct {
		Amount        *store.Amount `json:"amount"`
		PaymentMethod string        `json:"payment_method"`
		ReturnURL     string        `json:"return_url"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: topUpBody}); err != nil {
		fail(c, err)
		return
	}
	if body.Amount == nil {
		fail(c, invalidAmount("Give the amount to pay, e.g. %s.", topUpBody))
		return
	}
	if u, err := url.Parse(body.ReturnURL); body.ReturnURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		fail(c, store.FieldErrorf(store.EINVALID, "return_url", "return_url is an http(s) address, got %q.", body.ReturnURL))
		return
	}
	bill := h.BillingService()
	inv, err := bill.TopUp(c.Request.Context(), server.CallerOf(c).ProjectID, *body.Amount, "amount",
		billing.Payment{Method: body.PaymentMethod, ReturnURL: body.ReturnURL})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, topUpJSON{PaymentID: inv.ID, Status: inv.Status, Amount: inv.Amount, Credits: inv.Credits,
		Currency: bill.Config.Currency, PaymentURL: inv.PaymentURL, CreatedAt: inv.CreatedAt.UTC()})
}

// invalidAmount is an INVALID_AMOUNT error.
func invalidAmount(format string, args ...any) error {
	e := store.FieldErrorf(store.EINVALID, "amount", format, args...)
	e.Reason = billing.ReasonInvalidAmount
	return e
}
