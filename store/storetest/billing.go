package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// credits is n whole credits.
func credits(n int64) store.Amount { return store.Amount(n) * store.Credits }

// balance fails the test unless the project's account holds these credits
// and bonus.
func balance(t *testing.T, s store.Store, projectID int64, wantCredits, wantBonus store.Amount) {
	t.Helper()
	a, err := s.BillingAccount(t.Context(), projectID)
	noErr(t, err)
	if a.Credits != wantCredits || a.Bonus != wantBonus {
		t.Fatalf("balance = %s credits + %s bonus, want %s + %s", a.Credits, a.Bonus, wantCredits, wantBonus)
	}
}

// topUp pays a new invoice of n credits into a project's account.
func topUp(t *testing.T, s store.Store, projectID int64, n store.Amount) *store.Invoice {
	t.Helper()
	inv := newInvoice(t, s, projectID, n)
	_, paid, err := s.PayInvoice(t.Context(), inv.ID)
	noErr(t, err)
	if !paid {
		t.Fatalf("a new invoice was not paid")
	}
	return inv
}

// newInvoice creates a pending invoice of n credits, at 1 a credit, paid
// by card and coming back to a shop.
func newInvoice(t *testing.T, s store.Store, projectID int64, n store.Amount) *store.Invoice {
	t.Helper()
	id, err := store.NewInvoiceID()
	noErr(t, err)
	inv := &store.Invoice{ID: id, ProjectID: projectID, Amount: n, Credits: n, Offer: "topup", PaymentURL: "https://pay.example/" + id,
		PaymentMethod: "card", ReturnURL: "https://shop.example/paid"}
	noErr(t, s.CreateInvoice(t.Context(), inv))
	return inv
}

func testBillingAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	a, err := s.BillingAccount(ctx, p.ID)
	noErr(t, err)
	same(t, "an account never opened", *a, store.BillingAccount{ProjectID: p.ID, Tariff: store.DefaultTariff})
	_, err = s.BillingAccount(ctx, 1<<40)
	wantCode(t, err, store.ENOTFOUND)
	_, err = s.OpenBillingAccount(ctx, 1<<40, 0, "")
	wantCode(t, err, store.ENOTFOUND)
	_, err = s.OpenBillingAccount(ctx, p.ID, -1, "")
	wantCode(t, err, store.EINVALID)

	a, err = s.OpenBillingAccount(ctx, p.ID, credits(1000), "Welcome bonus")
	noErr(t, err)
	if !a.Opened() || a.Bonus != credits(1000) || a.Credits != 0 || a.Tariff != store.DefaultTariff || a.SubscriptionUntil != nil {
		t.Fatalf("opened: %s", show(a))
	}
	inUTC(t, "CreatedAt", a.CreatedAt)
	again, err := s.OpenBillingAccount(ctx, p.ID, credits(5), "again")
	noErr(t, err)
	same(t, "opened again", again, a)

	txs, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 20, Offset: 0})
	noErr(t, err)
	if total != 1 || len(txs) != 1 || txs[0].Type != store.TransactionBonus || txs[0].Amount != credits(1000) ||
		txs[0].Bonus != credits(1000) || txs[0].Description != "Welcome bonus" || txs[0].ID == 0 {
		t.Fatalf("transactions after opening: %d %s", total, show(txs))
	}
	inUTC(t, "transaction CreatedAt", txs[0].CreatedAt)
	txs, total, err = s.Transactions(ctx, store.TransactionQuery{ProjectID: other.ID, Limit: 20, Offset: 0})
	noErr(t, err)
	if total != 0 || len(txs) != 0 || txs == nil {
		t.Fatalf("another project's transactions: %d %v", total, txs)
	}
	for _, bad := range [][2]int{{0, 0}, {store.MaxTransactionLimit + 1, 0}, {10, -1}} {
		_, _, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: bad[0], Offset: bad[1]})
		wantCode(t, err, store.EINVALID)
	}
}

// testCharges: bonus goes first, then credits; a charge the account cannot
// pay changes nothing, unless it takes what there is (UpTo); the balance
// never goes below zero.
func testCharges(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	_, err := s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(1), Description: "before opening"})
	wantCode(t, err, store.EINSUFFICIENT)
	_, err = s.OpenBillingAccount(ctx, p.ID, credits(100), "bonus")
	noErr(t, err)
	topUp(t, s, p.ID, credits(50))
	balance(t, s, p.ID, credits(50), credits(100))

	tr, err := s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: store.AmountOf(30.25), Description: "model call"})
	noErr(t, err)
	if tr.ID == 0 || tr.Type != store.TransactionCharge || tr.Amount != -store.AmountOf(30.25) || tr.Bonus != -store.AmountOf(30.25) {
		t.Fatalf("charge from the bonus: %s", show(tr))
	}
	balance(t, s, p.ID, credits(50), store.AmountOf(69.75))
	tr, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(100), Description: "bigger"})
	noErr(t, err)
	if tr.Amount != -credits(100) || tr.Bonus != -store.AmountOf(69.75) {
		t.Fatalf("a charge across bonus and credits: %s", show(tr))
	}
	balance(t, s, p.ID, store.AmountOf(19.75), 0)

	_, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(20), Description: "too much"})
	wantCode(t, err, store.EINSUFFICIENT)
	balance(t, s, p.ID, store.AmountOf(19.75), 0)
	for _, bad := range []store.Amount{0, -credits(1)} {
		_, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: bad})
		wantCode(t, err, store.EINVALID)
	}
	_, err = s.Charge(ctx, store.Charge{ProjectID: 1 << 40, Amount: credits(1)})
	wantCode(t, err, store.ENOTFOUND)

	tr, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(20), Description: "usage spent", UpTo: true})
	noErr(t, err)
	if tr.Amount != -store.AmountOf(19.75) || tr.ID == 0 {
		t.Fatalf("UpTo takes what is left: %s", show(tr))
	}
	balance(t, s, p.ID, 0, 0)
	tr, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(5), UpTo: true})
	noErr(t, err)
	if tr.Amount != 0 || tr.ID != 0 {
		t.Fatalf("UpTo on an empty account: %s", show(tr))
	}
	balance(t, s, p.ID, 0, 0)

	txs, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 2, Offset: 1})
	noErr(t, err)
	if total != 5 || len(txs) != 2 || txs[0].Description != "bigger" || txs[1].Description != "model call" {
		t.Fatalf("page 2 of the transactions: %d %s", total, show(txs))
	}
	all, _, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 100})
	noErr(t, err)
	var charges int
	var spent store.Amount
	for _, tr := range all {
		if tr.Type == store.TransactionCharge {
			charges, spent = charges+1, spent-tr.Amount
		}
	}
	charged, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 100, Types: []string{store.TransactionCharge}})
	noErr(t, err)
	if charges < 2 || total != charges || len(charged) != charges || charged[0].Type != store.TransactionCharge {
		t.Fatalf("the charges only: %d of %d, %s", total, charges, show(charged))
	}
	others, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 1, Types: []string{store.TransactionBonus, store.TransactionTopup}})
	noErr(t, err)
	if total != len(all)-charges || len(others) != 1 || others[0].Type == store.TransactionCharge {
		t.Fatalf("the credits only: %d, %s", total, show(others))
	}
	totals, err := s.BillingTotals(ctx, p.ID)
	noErr(t, err)
	if totals.Spent != spent || totals.Spent <= 0 || totals.PendingInvoices != 0 {
		t.Fatalf("totals %+v, want spent %s", totals, spent)
	}
}

// testChargesConcurrent: charges racing for one account pay exactly what
// it holds.
func testChargesConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	_, err := s.OpenBillingAccount(ctx, p.ID, credits(30), "bonus")
	noErr(t, err)
	topUp(t, s, p.ID, credits(20))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 12 {
		wg.Go(func() {
			_, err := s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(5)})
			mu.Lock()
			defer mu.Unlock()
			switch store.ErrorCode(err) {
			case "":
				ok++
			case store.EINSUFFICIENT:
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok != 10 || refused != 2 {
		t.Errorf("%d charges of 5 paid and %d refused from 50 credits, want 10 and 2", ok, refused)
	}
	balance(t, s, p.ID, 0, 0)
}

// testLowBalance: a charge that takes the balance below the threshold logs
// billing.balance.low once per crossing.
func testLowBalance(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	_, err := s.OpenBillingAccount(ctx, p.ID, credits(150), "bonus")
	noErr(t, err)
	charge := func(n int64) {
		t.Helper()
		_, err := s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(n), LowAt: credits(100)})
		noErr(t, err)
	}
	lows := func() []store.Event {
		t.Helper()
		evs, err := s.Events(ctx, p.ID, store.EventFilter{Types: []string{store.EventBillingBalanceLow}})
		noErr(t, err)
		return evs
	}
	charge(40) // 110
	if n := len(lows()); n != 0 {
		t.Fatalf("%d low-balance events above the threshold", n)
	}
	charge(20) // 90: crossed
	charge(10) // 80: still below
	evs := lows()
	if len(evs) != 1 {
		t.Fatalf("%d low-balance events after one crossing, want 1", len(evs))
	}
	same(t, "the event's data", evs[0].Data.Extra, map[string]any{"credits": 0.0, "bonus": 90.0, "balance": 90.0, "threshold": 100.0})
	if evs[0].DialogID != 0 || evs[0].ProjectID != p.ID {
		t.Errorf("event: %s", show(evs[0]))
	}
	topUp(t, s, p.ID, credits(100)) // 180
	charge(100)                     // 80: crossed again
	if n := len(lows()); n != 2 {
		t.Fatalf("%d low-balance events after two crossings, want 2", n)
	}
	_, err = s.Charge(ctx, store.Charge{ProjectID: p.ID, Amount: credits(10)}) // no threshold given
	noErr(t, err)
	if n := len(lows()); n != 2 {
		t.Fatalf("%d low-balance events after a charge without a threshold, want 2", n)
	}
}

func testInvoices(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	first := newInvoice(t, s, p.ID, credits(10))
	if first.Status != store.InvoicePending || first.PaidAt != nil {
		t.Fatalf("created: %s", show(first))
	}
	inUTC(t, "CreatedAt", first.CreatedAt)
	second := newInvoice(t, s, p.ID, store.AmountOf(2.5))
	got, err := s.Invoice(ctx, first.ID)
	noErr(t, err)
	same(t, "by id", got, first)
	list, err := s.Invoices(ctx, p.ID)
	noErr(t, err)
	same(t, "the project's invoices", list, []store.Invoice{*second, *first})
	list, err = s.Invoices(ctx, other.ID)
	noErr(t, err)
	same(t, "another project's invoices", list, []store.Invoice{})
	_, err = s.Invoice(ctx, "inv_nope")
	wantCode(t, err, store.ENOTFOUND)

	dup := *first
	wantCode(t, s.CreateInvoice(ctx, &dup), store.ECONFLICT)
	for _, bad := range []store.Invoice{
		{ProjectID: p.ID, Amount: 1, Credits: 1},
		{ID: "inv_a", ProjectID: p.ID, Amount: 0, Credits: 1},
		{ID: "inv_b", ProjectID: p.ID, Amount: 1, Credits: -1},
	} {
		wantCode(t, s.CreateInvoice(ctx, &bad), store.EINVALID)
	}
	wantCode(t, s.CreateInvoice(ctx, &store.Invoice{ID: "inv_c", ProjectID: 1 << 40, Amount: 1, Credits: 1}), store.ENOTFOUND)

	paid, ok, err := s.PayInvoice(ctx, first.ID)
	noErr(t, err)
	if !ok || paid.Status != store.InvoicePaid || paid.PaidAt == nil {
		t.Fatalf("paid: %v %s", ok, show(paid))
	}
	again, ok, err := s.PayInvoice(ctx, first.ID)
	noErr(t, err)
	if ok || again.Status != store.InvoicePaid {
		t.Fatalf("paid again: %v %s", ok, show(again))
	}
	balance(t, s, p.ID, credits(10), 0)
	txs, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 10, Offset: 0})
	noErr(t, err)
	if total != 1 || txs[0].Type != store.TransactionTopup || txs[0].Amount != credits(10) || txs[0].InvoiceID != first.ID || txs[0].Bonus != 0 {
		t.Fatalf("transactions after paying twice: %d %s", total, show(txs))
	}

	_, err = s.CancelInvoice(ctx, first.ID)
	wantCode(t, err, store.ECONFLICT)
	cancelled, err := s.CancelInvoice(ctx, second.ID)
	noErr(t, err)
	if cancelled.Status != store.InvoiceCancelled {
		t.Fatalf("cancelled: %s", show(cancelled))
	}
	_, err = s.CancelInvoice(ctx, second.ID)
	noErr(t, err)
	_, _, err = s.PayInvoice(ctx, second.ID)
	wantCode(t, err, store.ECONFLICT)
	_, _, err = s.PayInvoice(ctx, "inv_nope")
	wantCode(t, err, store.ENOTFOUND)
	_, err = s.CancelInvoice(ctx, "inv_nope")
	wantCode(t, err, store.ENOTFOUND)
	balance(t, s, p.ID, credits(10), 0)
}

// testPlanInvoices: paying a plan sets the tariff and runs the
// subscription from the payment, or on from where it ends.
func testPlanInvoices(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	plan := func() {
		t.Helper()
		id, err := store.NewInvoiceID()
		noErr(t, err)
		inv := &store.Invoice{ID: id, ProjectID: p.ID, Amount: credits(990), Credits: credits(2000), Offer: "pro",
			Tariff: "pro", PeriodDays: 30}
		noErr(t, s.CreateInvoice(ctx, inv))
		_, _, err = s.PayInvoice(ctx, id)
		noErr(t, err)
	}
	start := time.Now()
	plan()
	a, err := s.BillingAccount(ctx, p.ID)
	noErr(t, err)
	month := 30 * 24 * time.Hour
	if a.Tariff != "pro" || a.Credits != credits(2000) || a.SubscriptionUntil == nil ||
		a.SubscriptionUntil.Before(start.Add(month-time.Second)) || a.SubscriptionUntil.After(time.Now().Add(month)) {
		t.Fatalf("after a plan: %s", show(a))
	}
	until := *a.SubscriptionUntil
	plan()
	a, err = s.BillingAccount(ctx, p.ID)
	noErr(t, err)
	if a.Credits != credits(4000) || a.SubscriptionUntil == nil || !a.SubscriptionUntil.Equal(until.Add(month)) {
		t.Fatalf("a second plan does not extend the first: %s", show(a))
	}
}

// testPayInvoiceConcurrent: payers racing for one invoice add its credits
// once.
func testPayInvoiceConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	inv := newInvoice(t, s, p.ID, credits(70))
	var wg sync.WaitGroup
	var mu sync.Mutex
	paid := 0
	for range 8 {
		wg.Go(func() {
			_, ok, err := s.PayInvoice(ctx, inv.ID)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				paid++
			}
		})
	}
	wg.Wait()
	if paid != 1 {
		t.Errorf("%d payers were told they paid, want 1", paid)
	}
	balance(t, s, p.ID, credits(70), 0)
	_, total, err := s.Transactions(ctx, store.TransactionQuery{ProjectID: p.ID, Limit: 10, Offset: 0})
	noErr(t, err)
	if total != 1 {
		t.Errorf("%d transactions, want one topup", total)
	}
}
