package worken

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Worken's billing routes are views of the project's billing account
// (package billing): GET /billing/account, balance, transactions, invoices
// and offers, and POST /billing/invoices. An invoice's payment_url is the
// provider's; Parley's own provider's is GET /billing/pay/{invoice_id}, a
// page saying how the installation's owner confirms the payment, which
// POST /billing/pay/{invoice_id} with the admin token does.

const createInvoiceBody = `{"offer_id": "credits-1000"}`

// billingAccountJSON is Worken's BillingAccount.
type billingAccountJSON struct {
	Tariff            string       `json:"tariff"`
	Credits           store.Amount `json:"credits"`
	Bonus             store.Amount `json:"bonus"`
	SubscriptionUntil *string      `json:"subscription_until"`
}

// balanceJSON is Worken's BalanceResponse.
type balanceJSON struct {
	Credits store.Amount `json:"credits"`
	Bonus   store.Amount `json:"bonus"`
}

// transactionJSON is Worken's Transaction; amount is signed, what the
// balance changed by (a charge is negative).
type transactionJSON struct {
	ID          string       `json:"id"`
	Type        string       `json:"type"`
	Amount      store.Amount `json:"amount"`
	Description string       `json:"description"`
	CreatedAt   string       `json:"created_at"`
}

// invoiceJSON is Worken's Invoice; amount is the price.
type invoiceJSON struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"`
	Amount     store.Amount `json:"amount"`
	PaymentURL *string      `json:"payment_url"`
	CreatedAt  string       `json:"created_at"`
}

// offerJSON is Worken's BillingOffer.
type offerJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Price       store.Amount `json:"price"`
	Credits     store.Amount `json:"credits"`
	Description string       `json:"description"`
}

// billing is the projects' billing: Deps.Billing, or billing off with
// the default offers and Parley's own payment page.
func (h *handlers) billing() *billing.Service { return h.BillingService() }

// billingAccount is GET /billing/account.
func (h *handlers) billingAccount(c *gin.Context) {
	a, err := h.billing().Account(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := billingAccountJSON{Tariff: a.Tariff, Credits: a.Credits, Bonus: a.Bonus}
	if a.SubscriptionUntil != nil {
		until := timestamp(*a.SubscriptionUntil)
		out.SubscriptionUntil = &until
	}
	c.JSON(http.StatusOK, out)
}

// billingBalance is GET /billing/balance.
func (h *handlers) billingBalance(c *gin.Context) {
	a, err := h.billing().Account(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, balanceJSON{Credits: a.Credits, Bonus: a.Bonus})
}

// listTransactions is GET /billing/transactions: limit (default 20, at
// most 100) and offset, newest first.
func (h *handlers) listTransactions(c *gin.Context) {
	limit, err := queryInt(c, "limit", defaultLimit, 1, store.MaxTransactionLimit)
	if err != nil {
		fail(c, err)
		return
	}
	offset, err := queryInt(c, "offset", 0, 0, 1<<30)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if _, err := h.billing().Account(ctx, project(c)); err != nil { // its start bonus is a transaction
		fail(c, err)
		return
	}
	txs, total, err := h.Store.Transactions(ctx, store.TransactionQuery{ProjectID: project(c), Limit: limit, Offset: offset})
	if err != nil {
		fail(c, err)
		return
	}
	data := make([]transactionJSON, len(txs))
	for i, tr := range txs {
		data[i] = transactionJSON{ID: strconv.FormatInt(tr.ID, 10), Type: tr.Type, Amount: tr.Amount, Description: tr.Description,
			CreatedAt: timestamp(tr.CreatedAt)}
	}
	c.JSON(http.StatusOK, gin.H{"data": data, "total": total})
}

// queryInt reads a whole-number query parameter from lo to hi; def when
// it is absent. EINVALID naming it otherwise.
func queryInt(c *gin.Context, name string, def, lo, hi int) (int, error) {
	s, ok := c.GetQuery(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		if hi == 1<<30 {
			return 0, store.FieldErrorf(store.EINVALID, name, "%s must be a whole number, %d or more, got %q.", name, lo, s)
		}
		return 0, store.FieldErrorf(store.EINVALID, name, "%s must be a whole number from %d to %d, got %q.", name, lo, hi, s)
	}
	return n, nil
}

func invoiceShape(inv *store.Invoice) invoiceJSON {
	out := invoiceJSON{ID: inv.ID, Status: inv.Status, Amount: inv.Amount, CreatedAt: timestamp(inv.CreatedAt)}
	if inv.PaymentURL != "" {
		url := inv.PaymentURL
		out.PaymentURL = &url
	}
	return out
}

// listInvoices is GET /billing/invoices, newest first.
func (h *handlers) listInvoices(c *gin.Context) {
	invs, err := h.Store.Invoices(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]invoiceJSON, len(invs))
	for i := range invs {
		out[i] = invoiceShape(&invs[i])
	}
	c.JSON(http.StatusOK, out)
}

// createInvoice is POST /billing/invoices: an invoice for an offer, or
// for credits at a top-up offer's rate.
func (h *handlers) createInvoice(c *gin.Context) {
	var body struct {
		OfferID *string       `json:"offer_id"`
		Credits *store.Amount `json:"credits"`
	}
	if err := bindJSON(c, &body, createInvoiceBody); err != nil {
		fail(c, err)
		return
	}
	if body.OfferID == nil || strings.TrimSpace(*body.OfferID) == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "offer_id", "Name the offer to buy, e.g. %s; GET /billing/offers lists them.", createInvoiceBody))
		return
	}
	inv, err := h.billing().CreateInvoice(c.Request.Context(), project(c), *body.OfferID, body.Credits, billing.Payment{})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"invoice": invoiceShape(inv), "payment_url": inv.PaymentURL})
}

// listOffers is GET /billing/offers.
func (h *handlers) listOffers(c *gin.Context) {
	offers := h.billing().Offers()
	out := make([]offerJSON, len(offers))
	for i, o := range offers {
		out[i] = offerJSON{ID: o.ID, Name: o.Name, Price: o.Price, Credits: o.Credits, Description: o.Description}
	}
	c.JSON(http.StatusOK, out)
}

// payPage is GET /billing/pay/{invoice_id}, the payment page of Parley's
// own provider: what the invoice is for and how it is confirmed. It needs
// no credentials: the invoice id, random and unguessable, is the key.
func (h *handlers) payPage(c *gin.Context) {
	inv, err := h.Store.Invoice(c.Request.Context(), c.Param("invoice_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	err = payPageTemplate.Execute(c.Writer, map[string]any{"Invoice": inv, "Admin": h.billing().Config.AdminToken != ""})
	if err != nil {
		server.Logger(c).Warn("writing the payment page failed", "invoice", inv.ID, "error", err)
	}
}

var payPageTemplate = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Invoice {{.Invoice.ID}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}</style>
</head><body>
<h1>Invoice {{.Invoice.ID}}</h1>
<p>Status: <strong>{{.Invoice.Status}}</strong>. Price: {{.Invoice.Amount}}. Credits: {{.Invoice.Credits}} ({{.Invoice.Offer}}).{{with .Invoice.PaymentMethod}} Payment method asked: {{.}}.{{end}}</p>
{{if eq .Invoice.Status "pending"}}
<p>This Parley takes payments by hand: once the money has arrived, its owner confirms the payment, and the credits are added to the project's balance (once, however often it is confirmed). Where Parley runs, with its database:</p>
<pre>parley billing pay {{.Invoice.ID}}</pre>
{{if .Admin}}<p>or over HTTP, with the admin token (PARLEY_BILLING_ADMIN_TOKEN):</p>
<pre>curl -X POST -H 'Authorization: Bearer $PARLEY_BILLING_ADMIN_TOKEN' &lt;this page's URL&gt;</pre>{{end}}
{{with .Invoice.ReturnURL}}<p>Once it is confirmed, <a href="{{.}}" data-return>go back to where you came from</a>.</p>{{end}}
{{else if eq .Invoice.Status "paid"}}<p>This invoice is paid; its credits are in the project's balance.</p>
{{with .Invoice.ReturnURL}}<p><a href="{{.}}" data-return>Go back to where you came from</a>.</p>{{end}}
{{else}}<p>This invoice was cancelled; create a new one (POST /billing/invoices).</p>{{end}}
</body></html>
`))

// confirmPayment is POST /billing/pay/{invoice_id}: the installation's
// owner confirms a payment with the admin token. Confirming again
// changes nothing and answers the same.
func (h *handlers) confirmPayment(c *gin.Context) {
	svc := h.billing()
	token := svc.Config.AdminToken
	if token == "" {
		fail(c, store.Errorf(store.EFORBIDDEN, "Confirming payments over HTTP is off. Run `parley billing pay %s` where Parley runs, or set PARLEY_BILLING_ADMIN_TOKEN.", c.Param("invoice_id")))
		return
	}
	scheme, given, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(given)), []byte(token)) != 1 {
		fail(c, store.Errorf(store.EUNAUTHORIZED, "Send the admin token as `Authorization: Bearer <PARLEY_BILLING_ADMIN_TOKEN>`."))
		return
	}
	inv, _, err := svc.Pay(c.Request.Context(), c.Param("invoice_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, invoiceShape(inv))
}
