package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
)

// TestBillingPay: `parley billing pay` pays an invoice once, says so when
// it was paid already, and fails on an unknown one.
func TestBillingPay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	org, err := db.CreateOrganization(t.Context(), "org")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(t.Context(), org.ID, "project")
	if err != nil {
		t.Fatal(err)
	}
	id, err := store.NewInvoiceID()
	if err != nil {
		t.Fatal(err)
	}
	inv := &store.Invoice{ID: id, ProjectID: p.ID, Amount: 900 * store.Credits, Credits: 1000 * store.Credits, Offer: "credits-1000"}
	if err := db.CreateInvoice(t.Context(), inv); err != nil {
		t.Fatal(err)
	}
	db.Close()

	code, stdout, stderr := runCLI(t, "billing", "pay", "--database", path, id)
	if code != 0 || !strings.Contains(stdout, "Invoice "+id+" is paid: 1000 credits added") {
		t.Fatalf("first pay: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "billing", "pay", "--database", path, id)
	if code != 0 || !strings.Contains(stdout, "paid already") {
		t.Errorf("second pay: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr = runCLI(t, "billing", "pay", "--database", path, "inv_nope")
	if code != 1 || !strings.Contains(stderr, "Invoice inv_nope not found") {
		t.Errorf("an unknown invoice: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"billing"}, {"billing", "refund", id}, {"billing", "pay"}, {"billing", "pay", "a", "b"}} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.Contains(stderr, "Usage: parley billing pay") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}

	db, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.BillingAccount(t.Context(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Credits != 1000*store.Credits {
		t.Errorf("credits after paying twice: %s, want 1000", a.Credits)
	}
}
