package billing

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/store"
)

func TestPrices(t *testing.T) {
	p := DefaultPrices()
	tests := []struct {
		name          string
		model         string
		input, output int
		want          store.Amount
	}{
		{"by id", "gpt-4o-mini", 1000, 1000, store.AmountOf(0.15)},
		{"by the id after the provider", "openai/gpt-4o-mini", 1000, 0, store.AmountOf(0.03)},
		{"any other model", "llama3", 2000, 500, store.AmountOf(2)},
		{"rounded up to a thousandth", "gpt-4o-mini", 1, 0, 1},
		{"no tokens", "gpt-4o", 0, 0, 0},
		{"negative counts count nothing", "gpt-4o", -5, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Cost(tt.model, tt.input, tt.output); got != tt.want {
				t.Errorf("Cost(%s, %d, %d) = %s, want %s", tt.model, tt.input, tt.output, got, tt.want)
			}
		})
	}
	if got := (Prices{}).Cost("gpt-4o", 1000, 1000); got != 0 {
		t.Errorf("a table without * prices unknown models at %s, want 0", got)
	}
}

func TestFromEnv(t *testing.T) {
	t.Run("defaults", func(t *testing.T) {
		t.Setenv(EnvModel, "")
		c, err := FromEnv(Default())
		if err != nil || c.Enabled || c.LowBalance != 100*store.Credits || c.StartBonus != 0 || len(c.Offers) != 3 || c.DefaultModel != "gpt-4o-mini" {
			t.Errorf("%+v %v", c, err)
		}
	})
	t.Run("set", func(t *testing.T) {
		t.Setenv(EnvBilling, "on")
		t.Setenv(EnvPrices, `{"gpt-4o-mini": {"input": 1, "output": 2.5}, "local": {"input": 0, "output": 0}}`)
		t.Setenv(EnvLowBalance, "12.5")
		t.Setenv(EnvStartBonus, "1000")
		t.Setenv(EnvOffers, `[{"id": "gold", "name": "Gold", "price": 10, "credits": 20, "description": "", "tariff": "gold", "period_days": 7}]`)
		t.Setenv(EnvAdminToken, "0123456789abcdef")
		t.Setenv(EnvModel, "local")
		c, err := FromEnv(Default())
		if err != nil {
			t.Fatal(err)
		}
		if !c.Enabled || c.LowBalance != store.AmountOf(12.5) || c.StartBonus != 1000*store.Credits || c.AdminToken != "0123456789abcdef" ||
			c.DefaultModel != "local" || len(c.Offers) != 1 || c.Offers[0].PeriodDays != 7 {
			t.Errorf("%+v", c)
		}
		if got := c.Prices.Of("gpt-4o-mini"); got != (Price{Input: store.Credits, Output: store.AmountOf(2.5)}) {
			t.Errorf("the price laid over: %+v", got)
		}
		if got := c.Prices.Of("gpt-4o"); got != DefaultPrices()["gpt-4o"] {
			t.Errorf("a price kept: %+v", got)
		}
	})
	for _, tt := range []struct{ name, env, value, says string }{
		{"billing neither on nor off", EnvBilling, "maybe", "on or off"},
		{"prices not JSON", EnvPrices, "cheap", "JSON object"},
		{"a negative price", EnvPrices, `{"x": {"input": -1}}`, "negative"},
		{"a negative threshold", EnvLowBalance, "-1", "0 or more"},
		{"a bonus that is no number", EnvStartBonus, "lots", "number of credits"},
		{"offers not a list", EnvOffers, `{}`, "JSON list"},
		{"an offer without a price", EnvOffers, `[{"id": "a", "name": "A", "credits": 1}]`, "price and credits"},
		{"two offers with one id", EnvOffers, `[{"id": "a", "name": "A", "price": 1, "credits": 1}, {"id": "a", "name": "B", "price": 1, "credits": 1}]`, "two offers"},
		{"a plan without a period", EnvOffers, `[{"id": "a", "name": "A", "price": 1, "credits": 1, "tariff": "pro"}]`, "period_days"},
		{"a short admin token", EnvAdminToken, "short", "16 characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(tt.env, tt.value)
			if _, err := FromEnv(Default()); err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%s=%s: %v, want an error saying %q", tt.env, tt.value, err, tt.says)
			}
		})
	}
}

func TestCustomCredits(t *testing.T) {
	offers := DefaultOffers()
	price, amount, err := custom(offers[1], 250*store.Credits)
	if err != nil || price != 225*store.Credits || amount != 250*store.Credits {
		t.Errorf("250 credits of credits-10000: %s for %s, %v", price, amount, err)
	}
	if _, _, err := custom(offers[2], 10*store.Credits); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("credits for a plan: %v", err)
	}
	if _, _, err := custom(offers[0], store.AmountOf(0.5)); store.ErrorCode(err) != store.EINVALID {
		t.Errorf("half a credit: %v", err)
	}
}

func TestOffOrNil(t *testing.T) {
	var s *Service
	if s.On() || s.CanCall(t.Context(), 1) != nil || len(s.Offers()) != 3 {
		t.Error("a nil Service is not billing off")
	}
	if tr, err := s.ChargeUsage(t.Context(), 1, "gpt-4o", 1000, 1000, ""); tr != nil || err != nil {
		t.Errorf("a nil Service charged: %v %v", tr, err)
	}
}
