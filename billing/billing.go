// Package billing charges each project's account for what its bots spend
// on language models, by a price table, and tops accounts up through a
// payment provider. The account itself is the store's (store.Billing);
// Worken's billing routes and the CLI are views of this package.
package billing

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/store"
)

// Config is how billing runs. Default has every default; FromEnv reads
// the PARLEY_BILLING* variables over them.
type Config struct {
	// Enabled makes model calls charged, and refused when the account
	// cannot pay (PARLEY_BILLING=on). Off, nothing is charged or refused;
	// accounts, offers and invoices still work.
	Enabled bool
	// Prices are what model calls cost (PARLEY_PRICES).
	Prices Prices
	// DefaultModel prices calls that name no model (PARLEY_LLM_MODEL):
	// the provider's default model answers them.
	DefaultModel string
	// LowBalance is the low-balance threshold: a charge that takes an
	// account below it logs billing.balance.low. 0: never.
	LowBalance store.Amount
	// StartBonus is the bonus an account opens with (parley dev: 1000).
	StartBonus store.Amount
	// Offers are what an account can buy.
	Offers []Offer
	// AdminToken lets POST /billing/pay/{invoice_id} confirm payments
	// (PARLEY_BILLING_ADMIN_TOKEN); "" turns that route off.
	AdminToken string
	// Currency names the money of offers' prices (PARLEY_BILLING_CURRENCY,
	// an ISO 4217 code; default RUB), as ReplyX's balance shows it.
	Currency string
}

// Defaults.
const (
	DefaultCurrency   = "RUB"
	DefaultLowBalance = 100 * store.Credits
	// DevStartBonus is the bonus of accounts opened by parley dev, so that
	// nothing blocks there.
	DevStartBonus = 1000 * store.Credits
	// startBonusWhy describes the bonus an account opens with.
	startBonusWhy = "Welcome bonus"
)

// Default returns the default configuration: billing off, the default
// prices and offers, a low-balance threshold of 100 credits and no start
// bonus.
func Default() Config {
	return Config{Prices: DefaultPrices(), DefaultModel: "gpt-4o-mini", LowBalance: DefaultLowBalance, Offers: DefaultOffers(),
		Currency: DefaultCurrency}
}

// Service is billing's use cases. On, CanCall, ChargeUsage and Offers
// work on a nil *Service, as with billing off and the default offers.
type Service struct {
	Store  store.Billing
	Config Config
	// Provider takes payments; nil: Builtin with no base URL.
	Provider Provider
}

// On reports whether model calls are charged and refused.
func (s *Service) On() bool { return s != nil && s.Config.Enabled }

// Account returns a project's account, opening it (with the start bonus)
// the first time. ENOTFOUND for an unknown project.
func (s *Service) Account(ctx context.Context, projectID int64) (*store.BillingAccount, error) {
	a, err := s.Store.BillingAccount(ctx, projectID)
	if err != nil || a.Opened() {
		return a, err
	}
	return s.Store.OpenBillingAccount(ctx, projectID, s.Config.StartBonus, startBonusWhy)
}

// ErrNoBalance is the refusal of a model call the account cannot pay.
var ErrNoBalance = store.Errorf(store.EINSUFFICIENT,
	"The project's balance is used up, so the language model was not called. Top it up (POST /billing/invoices) and try again.")

// CanCall returns ErrNoBalance when billing is on and a project's
// balance is 0: a model call is made only while there is something to
// pay it with. Off, it returns nil.
func (s *Service) CanCall(ctx context.Context, projectID int64) error {
	if !s.On() {
		return nil
	}
	a, err := s.Account(ctx, projectID)
	if err != nil {
		return fmt.Errorf("reading the balance of project %d: %w", projectID, err)
	}
	if a.Balance() <= 0 {
		return ErrNoBalance
	}
	return nil
}

// ChargeUsage charges a project for a model call that was made: its
// tokens by the price table, bonus first. The call is spent, so an account
// that holds less pays what it has and stays at 0 (the next call is
// refused). With billing off, or for a free call, it does nothing and
// returns nil.
func (s *Service) ChargeUsage(ctx context.Context, projectID int64, model string, input, output int, what string) (*store.Transaction, error) {
	if !s.On() {
		return nil, nil
	}
	if model == "" {
		model = s.Config.DefaultModel
	}
	cost := s.Config.Prices.Cost(model, input, output)
	if cost <= 0 {
		return nil, nil
	}
	desc := fmt.Sprintf("%s: %d input + %d output tokens", model, input, output)
	if what != "" {
		desc += " (" + what + ")"
	}
	tr, err := s.Store.Charge(ctx, store.Charge{ProjectID: projectID, Amount: cost, Description: desc, UpTo: true,
		LowAt: s.Config.LowBalance})
	if err != nil {
		return nil, fmt.Errorf("charging project %d for %s: %w", projectID, desc, err)
	}
	return tr, nil
}

// Pay confirms the payment of an invoice: its credits are added once,
// however often it is confirmed (paid says whether this call did it).
// ENOTFOUND for an unknown invoice, ECONFLICT for a cancelled one.
func (s *Service) Pay(ctx context.Context, invoiceID string) (inv *store.Invoice, paid bool, err error) {
	return s.Store.PayInvoice(ctx, invoiceID)
}
