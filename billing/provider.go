package billing

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Provider takes the payments of invoices. Checkout starts paying an
// invoice (its ID is set) and returns where the payer goes to pay; when
// the money arrives, the provider's side (its webhook, or a person) calls
// Service.Pay, which adds the credits once however often it is called.
type Provider interface {
	Checkout(ctx context.Context, inv *store.Invoice) (paymentURL string, err error)
}

// Payment is what a payer asks of the provider with an invoice
// (inv.PaymentMethod and ReturnURL): how to pay, where to come back to.
// A provider takes what it supports; the zero Payment asks nothing.
type Payment struct {
	Method    string // e.g. "card"
	ReturnURL string // an http(s) URL
}

// Builtin is Parley's own provider, for installations that take payments
// by hand: its payment URL is Parley's page GET /billing/pay/{invoice_id},
// which says how the installation's owner confirms the payment (`parley
// billing pay <invoice-id>`, or POST to the same URL with the admin
// token).
type Builtin struct {
	BaseURL string // where clients reach the API (PARLEY_PUBLIC_URL); "" for a relative URL
}

// PayPath is the path of an invoice's payment page.
func PayPath(invoiceID string) string { return "/billing/pay/" + invoiceID }

// Checkout returns the invoice's payment page.
func (b Builtin) Checkout(_ context.Context, inv *store.Invoice) (string, error) {
	return strings.TrimSuffix(b.BaseURL, "/") + PayPath(inv.ID), nil
}
