package replyx_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
	"github.com/parleyhq/parley/store"
)

type balanceView struct {
	Balance             float64
	WelcomeBonus        float64 `json:"welcome_bonus"`
	TotalSpent          float64 `json:"total_spent"`
	PendingTransactions int     `json:"pending_transactions"`
	Currency            string
}

type transactionsView struct {
	Transactions []struct {
		ID          int64
		Type        string
		Amount      float64
		Description string
		ServiceType string `json:"service_type"`
		Details     map[string]any
	}
	Total int
}

// TestBalance: the project's account as ReplyX shows it, its transactions
// by type, and a top-up with the document's body that grows the balance
// once paid; bad amounts are INVALID_AMOUNT and a fourth top-up in ten
// minutes is 429.
func TestBalance(t *testing.T) {
	bill := &billing.Service{Config: billing.Default()}
	e := servertest.NewWith(t, servertest.Options{Billing: bill}, replyx.Dialect, worken.Dialect) // Worken's serves the payment page
	ctx := t.Context()
	if _, err := e.Store.OpenBillingAccount(ctx, e.A.ID, 500*store.Credits, "Welcome bonus"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Charge(ctx, store.Charge{ProjectID: e.A.ID, Amount: store.AmountOf(2.5), Description: "gpt-4o-mini: 900 input + 100 output tokens"}); err != nil {
		t.Fatal(err)
	}
	key := e.A.Bearer()
	var b balanceView
	e.Do("GET", "/api/balance", key, nil).JSON(t, &b)
	if b != (balanceView{Balance: 497.5, WelcomeBonus: 497.5, TotalSpent: 2.5, Currency: "RUB"}) {
		t.Errorf("balance %+v", b)
	}

	var txs transactionsView
	e.Do("GET", "/api/balance/transactions", key, nil).JSON(t, &txs)
	if txs.Total != 2 || len(txs.Transactions) != 2 || txs.Transactions[0].Type != "debit" || txs.Transactions[0].Amount != -2.5 ||
		txs.Transactions[0].ServiceType != "ai_message" || txs.Transactions[1].ServiceType != "welcome_bonus" {
		t.Errorf("transactions %+v", txs)
	}
	for kind, want := range map[string]string{"debit": "ai_message", "credit": "welcome_bonus"} {
		e.Do("GET", "/api/balance/transactions?type="+kind, key, nil).JSON(t, &txs)
		if txs.Total != 1 || txs.Transactions[0].ServiceType != want {
			t.Errorf("type=%s: %+v", kind, txs)
		}
	}
	wantError(t, e.Do("GET", "/api/balance/transactions?type=refund", key, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "type")
	wantError(t, e.Do("GET", "/api/balance/transactions?limit=500", key, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "limit")

	var top struct {
		PaymentID  string `json:"payment_id"`
		Status     string
		Amount     float64
		Credits    float64
		PaymentURL string `json:"payment_url"`
	}
	r := e.Do("POST", "/api/balance/top-up", key, map[string]any{"amount": 1000.0, "payment_method": "card", "return_url": "https://example.com/success"})
	r.JSON(t, &top)
	if r.Status != http.StatusOK || top.Status != "pending" || top.Amount != 1000 || top.Credits != 1000 || top.PaymentURL == "" {
		t.Fatalf("top-up: %d %s", r.Status, r.Body)
	}
	e.Do("GET", "/api/balance", key, nil).JSON(t, &b)
	if b.PendingTransactions != 1 || b.Balance != 497.5 {
		t.Errorf("before paying: %+v", b)
	}
	payPage := func(when string) {
		t.Helper()
		page := e.Do("GET", "/billing/pay/"+top.PaymentID, "", nil)
		if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `href="https://example.com/success"`) ||
			!strings.Contains(string(page.Body), "Payment method asked: card") {
			t.Errorf("the payment page %s: %d %s", when, page.Status, page.Body)
		}
	}
	payPage("before paying")
	if _, paid, err := bill.Pay(ctx, top.PaymentID); err != nil || !paid {
		t.Fatalf("paying: %v %v", paid, err)
	}
	e.Do("GET", "/api/balance", key, nil).JSON(t, &b)
	if b.PendingTransactions != 0 || b.Balance != 1497.5 || b.WelcomeBonus != 497.5 {
		t.Errorf("after paying: %+v", b)
	}
	payPage("after paying")
	e.Do("GET", "/api/balance/transactions?type=credit&limit=1", key, nil).JSON(t, &txs)
	if txs.Total != 2 || txs.Transactions[0].ServiceType != "balance_topup" || txs.Transactions[0].Details["invoice_id"] != top.PaymentID {
		t.Errorf("the top-up's transaction: %+v", txs)
	}

	t.Run("bad amounts, one at a time as the limit allows", func(t *testing.T) {
		wantError(t, e.Do("POST", "/api/balance/top-up", key, map[string]any{"amount": -5}), http.StatusUnprocessableEntity, "INVALID_AMOUNT", "amount")
		wantError(t, e.Do("POST", "/api/balance/top-up", key, map[string]any{"payment_method": "card"}), http.StatusUnprocessableEntity, "INVALID_AMOUNT", "amount")
		r := e.Do("POST", "/api/balance/top-up", key, map[string]any{"amount": 0.5})
		wantError(t, r, http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", "")
		if r.Header.Get("Retry-After") == "" || r.Header.Get("X-RateLimit-Limit") != "3" {
			t.Errorf("the fourth top-up's headers: %v", r.Header)
		}
	})
	t.Run("another project", func(t *testing.T) {
		var theirs balanceView
		e.Do("GET", "/api/balance", e.B.Bearer(), nil).JSON(t, &theirs)
		if theirs.Balance != 0 || theirs.TotalSpent != 0 || theirs.PendingTransactions != 0 {
			t.Errorf("B's balance %+v", theirs)
		}
		wantError(t, e.Do("POST", "/api/balance/top-up", e.B.Bearer(), map[string]any{"amount": 100, "return_url": "javascript:alert(1)"}),
			http.StatusUnprocessableEntity, "VALIDATION_ERROR", "return_url")
	})
}
