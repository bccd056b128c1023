package worken_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
	"github.com/parleyhq/parley/store"
)

type billingAccount struct {
	Tariff            string
	Credits           float64
	Bonus             float64
	SubscriptionUntil *string `json:"subscription_until"`
}

type billingInvoice struct {
	ID         string
	Status     string
	Amount     float64
	PaymentURL *string `json:"payment_url"`
	CreatedAt  string  `json:"created_at"`
}

type billingTransactions struct {
	Data []struct {
		ID, Type, Description string
		Amount                float64
		CreatedAt             string `json:"created_at"`
	}
	Total int
}

const billingAdminToken = "admin-token-0123456789"

// postInvoice posts an invoice for an offer and returns it.
func postInvoice(t *testing.T, e *servertest.Env, p servertest.Project, body map[string]any) billingInvoice {
	t.Helper()
	var out struct {
		Invoice    billingInvoice
		PaymentURL string `json:"payment_url"`
	}
	ok(t, e.Do("POST", "/billing/invoices", p.Bearer(), body), &out)
	if out.Invoice.PaymentURL == nil || *out.Invoice.PaymentURL != out.PaymentURL {
		t.Fatalf("payment_url: %+v", out)
	}
	return out.Invoice
}

// TestBillingByDefault: with no billing configured the routes answer over
// an account without bonus, the default offers and Parley's own payment
// page, which an owner confirms outside HTTP (no admin token).
func TestBillingByDefault(t *testing.T) {
	e := newEnv(t)
	var a billingAccount
	ok(t, e.Do("GET", "/billing/account", e.A.Bearer(), nil), &a)
	if a != (billingAccount{Tariff: "free"}) {
		t.Errorf("a new account: %+v", a)
	}
	var offers []struct {
		ID, Name, Description string
		Price, Credits        float64
	}
	ok(t, e.Do("GET", "/billing/offers", e.A.Bearer(), nil), &offers)
	if len(offers) != 3 || offers[0].ID != "credits-1000" || offers[0].Credits != 1000 || offers[0].Price != 1000 {
		t.Fatalf("offers: %+v", offers)
	}

	inv := postInvoice(t, e, e.A, map[string]any{"offer_id": "credits-1000"})
	if inv.Status != "pending" || inv.Amount != 1000 || !strings.HasPrefix(inv.ID, "inv_") ||
		*inv.PaymentURL != e.URL+"/billing/pay/"+inv.ID {
		t.Fatalf("invoice: %+v", inv)
	}
	if _, err := time.Parse(time.RFC3339, inv.CreatedAt); err != nil {
		t.Errorf("created_at: %v", err)
	}
	page := e.Do("GET", "/billing/pay/"+inv.ID, "", nil)
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page.Body), "parley billing pay "+inv.ID) || strings.Contains(string(page.Body), "curl") {
		t.Fatalf("payment page: %d %s", page.Status, page.Body)
	}
	if r := e.Do("POST", "/billing/pay/"+inv.ID, "Bearer anything-at-all-here", nil); r.Status != http.StatusForbidden ||
		!strings.Contains(string(r.Body), "parley billing pay") {
		t.Errorf("confirming over HTTP without an admin token: %d %s", r.Status, r.Body)
	}

	// The owner confirms, as `parley billing pay` does.
	if _, paid, err := (&billing.Service{Store: e.Store}).Pay(t.Context(), inv.ID); err != nil || !paid {
		t.Fatalf("paying: %v %v", paid, err)
	}
	var bal struct{ Credits, Bonus float64 }
	ok(t, e.Do("GET", "/billing/balance", e.A.Bearer(), nil), &bal)
	if bal.Credits != 1000 || bal.Bonus != 0 {
		t.Errorf("balance after paying: %+v", bal)
	}
	var invs []billingInvoice
	ok(t, e.Do("GET", "/billing/invoices", e.A.Bearer(), nil), &invs)
	if len(invs) != 1 || invs[0].ID != inv.ID || invs[0].Status != "paid" {
		t.Errorf("invoices: %+v", invs)
	}
	var txs billingTransactions
	ok(t, e.Do("GET", "/billing/transactions", e.A.Bearer(), nil), &txs)
	if txs.Total != 1 || len(txs.Data) != 1 || txs.Data[0].Type != "topup" || txs.Data[0].Amount != 1000 {
		t.Errorf("transactions: %+v", txs)
	}

	// Another project sees none of it.
	ok(t, e.Do("GET", "/billing/invoices", e.B.Bearer(), nil), &invs)
	ok(t, e.Do("GET", "/billing/balance", e.B.Bearer(), nil), &bal)
	if len(invs) != 0 || bal.Credits != 0 {
		t.Errorf("project B: %+v %+v", invs, bal)
	}
}

// TestBillingInvoiceErrors: what POST /billing/invoices and the lists
// refuse, and with which status.
func TestBillingInvoiceErrors(t *testing.T) {
	e := newEnv(t)
	inv := postInvoice(t, e, e.A, map[string]any{"offer_id": "credits-10000", "credits": 250})
	if inv.Amount != 225 {
		t.Errorf("250 credits at 9000 for 10000: amount %v, want 225", inv.Amount)
	}
	tests := []struct {
		name, method, path string
		body               any
		status             int
		param, says        string
	}{
		{"unknown offer", "POST", "/billing/invoices", map[string]any{"offer_id": "gold"}, 422, "offer_id", "credits-1000, credits-10000, pro-monthly"},
		{"no offer", "POST", "/billing/invoices", map[string]any{"credits": 5}, 422, "offer_id", "offer_id"},
		{"credits for a plan", "POST", "/billing/invoices", map[string]any{"offer_id": "pro-monthly", "credits": 10}, 422, "credits", "plan"},
		{"no credits", "POST", "/billing/invoices", map[string]any{"offer_id": "credits-1000", "credits": 0}, 422, "credits", "from 1"},
		{"too many credits", "POST", "/billing/invoices", map[string]any{"offer_id": "credits-1000", "credits": 1e9}, 422, "credits", "from 1"},
		{"not JSON", "POST", "/billing/invoices", []byte("{"), 400, "", "offer_id"},
		{"credits not a number", "POST", "/billing/invoices", map[string]any{"offer_id": "credits-1000", "credits": "ten"}, 400, "", ""},
		{"limit 0", "GET", "/billing/transactions?limit=0", nil, 422, "limit", "from 1 to 100"},
		{"limit too big", "GET", "/billing/transactions?limit=101", nil, 422, "limit", "from 1 to 100"},
		{"limit not a number", "GET", "/billing/transactions?limit=ten", nil, 422, "limit", ""},
		{"negative offset", "GET", "/billing/transactions?offset=-1", nil, 422, "offset", "0 or more"},
		{"unknown invoice's page", "GET", "/billing/pay/inv_nope", nil, 404, "", "inv_nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(tt.method, tt.path, e.A.Bearer(), tt.body)
			var body apiError
			r.JSON(t, &body)
			if r.Status != tt.status || body.Error.Param != tt.param || !strings.Contains(body.Error.Message, tt.says) {
				t.Errorf("%s %s = %d %s", tt.method, tt.path, r.Status, r.Body)
			}
		})
	}
	for _, path := range []string{"/billing/account", "/billing/balance", "/billing/transactions", "/billing/invoices", "/billing/offers"} {
		if r := e.Do("GET", path, e.A.Basic(), nil); r.Status != http.StatusUnauthorized {
			t.Errorf("GET %s with a password: %d", path, r.Status)
		}
	}
}

// TestBillingConfirmedByTheAdmin: accounts open with the start bonus;
// the admin token confirms a payment over HTTP, once however often it is
// sent; a plan sets the tariff; a cancelled invoice cannot be paid.
func TestBillingConfirmedByTheAdmin(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testConfirmedByTheAdmin(t, false) })
	t.Run("PostgreSQL", func(t *testing.T) { testConfirmedByTheAdmin(t, true) })
}

func testConfirmedByTheAdmin(t *testing.T, postgres bool) {
	cfg := billing.Default()
	cfg.StartBonus, cfg.AdminToken = 1000*store.Credits, billingAdminToken
	e := servertest.NewWith(t, servertest.Options{Billing: &billing.Service{Config: cfg}, Postgres: postgres}, worken.Dialect)
	var a billingAccount
	ok(t, e.Do("GET", "/billing/account", e.A.Bearer(), nil), &a)
	if a.Bonus != 1000 || a.Credits != 0 {
		t.Fatalf("a new account: %+v", a)
	}
	inv := postInvoice(t, e, e.A, map[string]any{"offer_id": "pro-monthly"})
	if *inv.PaymentURL != "/billing/pay/"+inv.ID {
		t.Errorf("payment_url: %s", *inv.PaymentURL)
	}
	if page := e.Do("GET", "/billing/pay/"+inv.ID, "", nil); !strings.Contains(string(page.Body), "PARLEY_BILLING_ADMIN_TOKEN") {
		t.Errorf("the page does not say how to confirm over HTTP: %s", page.Body)
	}
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", e.A.Bearer(), "Basic " + billingAdminToken} {
		if r := e.Do("POST", "/billing/pay/"+inv.ID, auth, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("confirming with %q: %d %s", auth, r.Status, r.Body)
		}
	}
	for range 2 {
		var paid billingInvoice
		ok(t, e.Do("POST", "/billing/pay/"+inv.ID, "Bearer "+billingAdminToken, nil), &paid)
		if paid.Status != "paid" || paid.ID != inv.ID {
			t.Errorf("confirmed: %+v", paid)
		}
	}
	ok(t, e.Do("GET", "/billing/account", e.A.Bearer(), nil), &a)
	if a.Tariff != "pro" || a.Credits != 6000 || a.Bonus != 1000 || a.SubscriptionUntil == nil {
		t.Errorf("after the plan, confirmed twice: %+v", a)
	}
	var txs billingTransactions
	ok(t, e.Do("GET", "/billing/transactions?limit=1&offset=1", e.A.Bearer(), nil), &txs)
	if txs.Total != 2 || len(txs.Data) != 1 || txs.Data[0].Type != "bonus" || txs.Data[0].Description != "Welcome bonus" {
		t.Errorf("the second page of one: %+v", txs)
	}

	other := postInvoice(t, e, e.A, map[string]any{"offer_id": "credits-1000"})
	if _, err := e.Store.CancelInvoice(t.Context(), other.ID); err != nil {
		t.Fatal(err)
	}
	if r := e.Do("POST", "/billing/pay/"+other.ID, "Bearer "+billingAdminToken, nil); r.Status != http.StatusConflict {
		t.Errorf("confirming a cancelled invoice: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/billing/pay/inv_nope", "Bearer "+billingAdminToken, nil); r.Status != http.StatusNotFound {
		t.Errorf("confirming an unknown invoice: %d %s", r.Status, r.Body)
	}
}
