package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/store"
)

// devBilling makes accounts open with billing.DevStartBonus unless
// PARLEY_BILLING_START_BONUS says otherwise: parley dev sets it before it
// starts anything, so nothing blocks there.
var devBilling bool

// billingService is billing with the PARLEY_BILLING* configuration on db;
// payment links start at baseURL.
func billingService(db store.Store, baseURL string) (*billing.Service, error) {
	base := billing.Default()
	if devBilling {
		base.StartBonus = billing.DevStartBonus
	}
	cfg, err := billing.FromEnv(base)
	if err != nil {
		return nil, err
	}
	return &billing.Service{Store: db, Config: cfg, Provider: billing.Builtin{BaseURL: baseURL}}, nil
}

const billingUsage = `Usage: parley billing pay [--database URL] [--data DIR] INVOICE-ID

Confirms that an invoice is paid (Parley's own payment provider): its credits are added to its project's
balance, once, however often it is confirmed. The database is PARLEY_DATABASE_URL (--database), else the
SQLite file of parley dev under --data.
`

// runBilling runs `parley billing pay`.
func runBilling(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "pay" {
		fmt.Fprint(stderr, billingUsage)
		return 2
	}
	fs := flag.NewFlagSet("billing pay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, billingUsage) }
	dsn := databaseFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, billingUsage)
		return 2
	}
	return exitOn(stderr, "billing pay", nil, func(ctx context.Context) error {
		return payInvoice(ctx, dsn(), fs.Arg(0), stdout)
	})
}

func payInvoice(ctx context.Context, dsn, id string, stdout io.Writer) error {
	db, err := openStore(ctx, dsn)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer db.Close()
	inv, paid, err := (&billing.Service{Store: db}).Pay(ctx, id)
	if code := store.ErrorCode(err); code != "" && code != store.EINTERNAL {
		return fmt.Errorf("%s", store.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if !paid {
		fmt.Fprintf(stdout, "Invoice %s was paid already; nothing changed.\n", inv.ID)
		return nil
	}
	fmt.Fprintf(stdout, "Invoice %s is paid: %s credits added to project %d.\n", inv.ID, inv.Credits, inv.ProjectID)
	return nil
}
