package billing

import (
	"context"
	"fmt"
	"math"

	"github.com/parleyhq/parley/store"
)

// Offer is what an account can buy: a one-time top-up of Credits for
// Price, or, with a Tariff, a plan that also sets the account's tariff
// for PeriodDays.
type Offer struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Price       store.Amount `json:"price"`
	Credits     store.Amount `json:"credits"`
	Description string       `json:"description"`
	Tariff      string       `json:"tariff,omitempty"`
	PeriodDays  int          `json:"period_days,omitempty"`
}

// Plan reports whether the offer is a plan rather than a top-up.
func (o Offer) Plan() bool { return o.Tariff != "" }

// DefaultOffers are the offers unless PARLEY_BILLING_OFFERS replaces them.
func DefaultOffers() []Offer {
	return []Offer{
		{ID: "credits-1000", Name: "1,000 credits", Price: 1000 * store.Credits, Credits: 1000 * store.Credits,
			Description: "A one-time top-up. Send credits to buy any other amount at the same rate."},
		{ID: "credits-10000", Name: "10,000 credits", Price: 9000 * store.Credits, Credits: 10000 * store.Credits,
			Description: "A one-time top-up, 10% off. Send credits to buy any other amount at the same rate."},
		{ID: "pro-monthly", Name: "Pro, 30 days", Price: 4900 * store.Credits, Credits: 6000 * store.Credits,
			Description: "The pro tariff for 30 days with 6,000 credits; buying it again extends it.", Tariff: "pro", PeriodDays: 30},
	}
}

// MaxCredits is the most credits one invoice may buy.
const MaxCredits = 10_000_000 * store.Credits

// Offers are the offers, in the configured order.
func (s *Service) Offers() []Offer {
	if s == nil {
		return DefaultOffers()
	}
	return s.Config.Offers
}

// Offer returns the offer with an id.
func (s *Service) Offer(id string) (Offer, bool) {
	for _, o := range s.Offers() {
		if o.ID == id {
			return o, true
		}
	}
	return Offer{}, false
}

// CreateInvoice creates a pending invoice for an offer, with its payment
// URL from the provider. credits, when not nil, buys that many credits
// at the offer's rate instead of the offer's own (top-ups only); pay goes
// to the provider with the invoice. EINVALID (field offer_id or credits)
// for an unknown offer or a wrong amount.
func (s *Service) CreateInvoice(ctx context.Context, projectID int64, offerID string, credits *store.Amount, pay Payment) (*store.Invoice, error) {
	o, ok := s.Offer(offerID)
	if !ok {
		return nil, store.FieldErrorf(store.EINVALID, "offer_id", "There is no offer %q; GET /billing/offers lists the offers%s.", offerID, s.offerIDs())
	}
	price, amount := o.Price, o.Credits
	if credits != nil {
		var err error
		if price, amount, err = custom(o, *credits); err != nil {
			return nil, err
		}
	}
	if _, err := s.Account(ctx, projectID); err != nil { // opened first, so its start bonus is not lost to a payment
		return nil, err
	}
	id, err := store.NewInvoiceID()
	if err != nil {
		return nil, err
	}
	inv := &store.Invoice{ID: id, ProjectID: projectID, Status: store.InvoicePending, Amount: price, Credits: amount, Offer: o.ID,
		Tariff: o.Tariff, PeriodDays: o.PeriodDays, PaymentMethod: pay.Method, ReturnURL: pay.ReturnURL}
	if inv.PaymentURL, err = s.provider().Checkout(ctx, inv); err != nil {
		return nil, fmt.Errorf("starting the payment of invoice %s: %w", id, err)
	}
	if err := s.Store.CreateInvoice(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// custom prices credits at an offer's rate.
func custom(o Offer, credits store.Amount) (price, amount store.Amount, err error) {
	switch {
	case o.Plan():
		return 0, 0, store.FieldErrorf(store.EINVALID, "credits", "The offer %q is a plan with %s credits; leave credits out, or pick a top-up offer.", o.ID, o.Credits)
	case credits < store.Credits || credits > MaxCredits:
		return 0, 0, store.FieldErrorf(store.EINVALID, "credits", "credits must be from 1 to %s, got %s.", MaxCredits, credits)
	}
	price = store.Amount(math.Ceil(float64(o.Price) * float64(credits) / float64(o.Credits)))
	return price, credits, nil
}

// offerIDs names the offers for a message: " (a, b)", or "" for none.
func (s *Service) offerIDs() string {
	var ids string
	for i, o := range s.Offers() {
		if i > 0 {
			ids += ", "
		}
		ids += o.ID
	}
	if ids == "" {
		return ""
	}
	return " (" + ids + ")"
}

func (s *Service) provider() Provider {
	if s.Provider == nil {
		return Builtin{}
	}
	return s.Provider
}

// ReasonInvalidAmount is the Reason of TopUp's error for an amount it
// cannot take (ReplyX's INVALID_AMOUNT).
const ReasonInvalidAmount = "invalid_amount"

// TopUp creates a pending invoice for price in money at the rate of the
// first top-up offer (ReplyX's top-up names an amount, not an offer).
// EINVALID (ReasonInvalidAmount) for an amount that buys less than one
// credit or more than MaxCredits; EINVALID when no top-up offer exists.
func (s *Service) TopUp(ctx context.Context, projectID int64, price store.Amount, field string, pay Payment) (*store.Invoice, error) {
	var o Offer
	for _, offer := range s.Offers() {
		if !offer.Plan() && offer.Price > 0 {
			o = offer
			break
		}
	}
	if o.ID == "" {
		return nil, store.Errorf(store.EINVALID, "This server sells no top-ups (PARLEY_BILLING_OFFERS has none); ask its owner.")
	}
	credits := store.Amount(math.Floor(float64(price) * float64(o.Credits) / float64(o.Price)))
	if price <= 0 || credits < store.Credits || credits > MaxCredits {
		e := store.FieldErrorf(store.EINVALID, field, "The amount buys %s credits at %s credits for %s; it must buy from 1 to %s.",
			credits, o.Credits, o.Price, MaxCredits)
		e.Reason = ReasonInvalidAmount
		return nil, e
	}
	return s.CreateInvoice(ctx, projectID, o.ID, &credits, pay)
}
