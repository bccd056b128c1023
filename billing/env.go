package billing

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Environment variables FromEnv reads.
const (
	EnvBilling    = "PARLEY_BILLING"             // on or off (default)
	EnvPrices     = "PARLEY_PRICES"              // JSON: {"model": {"input": credits per 1K, "output": ...}}
	EnvLowBalance = "PARLEY_BILLING_LOW_BALANCE" // credits; default 100, 0 never
	EnvStartBonus = "PARLEY_BILLING_START_BONUS" // credits an account opens with
	EnvOffers     = "PARLEY_BILLING_OFFERS"      // JSON list of offers, replacing the defaults
	EnvAdminToken = "PARLEY_BILLING_ADMIN_TOKEN" // lets POST /billing/pay/{id} confirm payments
	EnvModel      = "PARLEY_LLM_MODEL"           // the model of calls that name none
	EnvCurrency   = "PARLEY_BILLING_CURRENCY"    // the ISO 4217 code of offers' prices
)

// FromEnv returns base with what the PARLEY_BILLING* variables,
// PARLEY_PRICES and PARLEY_LLM_MODEL set.
func FromEnv(base Config) (Config, error) {
	c := base
	switch strings.ToLower(strings.TrimSpace(os.Getenv(EnvBilling))) {
	case "":
	case "on", "true", "1":
		c.Enabled = true
	case "off", "false", "0":
		c.Enabled = false
	default:
		return c, fmt.Errorf("%s must be on or off, got %q", EnvBilling, os.Getenv(EnvBilling))
	}
	var err error
	if v := os.Getenv(EnvPrices); v != "" {
		if c.Prices, err = parsePrices(c.Prices, v); err != nil {
			return c, err
		}
	}
	if c.LowBalance, err = credits(EnvLowBalance, c.LowBalance); err != nil {
		return c, err
	}
	if c.StartBonus, err = credits(EnvStartBonus, c.StartBonus); err != nil {
		return c, err
	}
	if v := os.Getenv(EnvOffers); v != "" {
		if c.Offers, err = parseOffers(v); err != nil {
			return c, err
		}
	}
	if v := os.Getenv(EnvModel); v != "" {
		c.DefaultModel = v
	}
	if v := strings.ToUpper(strings.TrimSpace(os.Getenv(EnvCurrency))); v != "" {
		if len(v) != 3 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return c, fmt.Errorf("%s is a three-letter ISO 4217 code such as RUB or USD, got %q", EnvCurrency, v)
		}
		c.Currency = v
	}
	if v := os.Getenv(EnvAdminToken); v != "" {
		if len(v) < 16 {
			return c, fmt.Errorf("%s must have at least 16 characters: it lets anyone who has it add credits", EnvAdminToken)
		}
		c.AdminToken = v
	}
	return c, nil
}

// credits reads a variable holding a number of credits, 0 or more; def
// when it is unset.
func credits(name string, def store.Amount) (store.Amount, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%s must be a number of credits, 0 or more, got %q", name, v)
	}
	return store.AmountOf(f), nil
}

var offerID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// parseOffers reads PARLEY_BILLING_OFFERS: a JSON list of offers, each
// with an id, a name, a price and credits above 0, and for a plan a
// tariff and period_days.
func parseOffers(text string) ([]Offer, error) {
	var offers []Offer
	if err := json.Unmarshal([]byte(text), &offers); err != nil {
		return nil, fmt.Errorf(`%s must be a JSON list like [{"id": "credits-1000", "name": "1,000 credits", "price": 1000, "credits": 1000, "description": ""}]: %v`, EnvOffers, err)
	}
	seen := map[string]bool{}
	for i, o := range offers {
		switch {
		case !offerID.MatchString(o.ID):
			return nil, fmt.Errorf("%s: offer %d needs an id of letters, digits, '-', '_' or '.', got %q", EnvOffers, i+1, o.ID)
		case seen[o.ID]:
			return nil, fmt.Errorf("%s: two offers have the id %q", EnvOffers, o.ID)
		case o.Name == "" || o.Price <= 0 || o.Credits <= 0:
			return nil, fmt.Errorf("%s: offer %q needs a name, and a price and credits above 0", EnvOffers, o.ID)
		case (o.Tariff == "") != (o.PeriodDays == 0) || o.PeriodDays < 0:
			return nil, fmt.Errorf("%s: offer %q is a plan only with both a tariff and period_days above 0", EnvOffers, o.ID)
		}
		seen[o.ID] = true
	}
	return offers, nil
}
