package billing

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Price is what a model's tokens cost, in credits per 1,000 tokens.
type Price struct {
	Input  store.Amount `json:"input"`
	Output store.Amount `json:"output"`
}

// Prices are prices by model id. A model is found by its id, then by the
// id after its last "/" (openai/gpt-4o-mini is priced as gpt-4o-mini),
// then as "*"; a model none of these finds is free.
type Prices map[string]Price

// AnyModel is the key of the price of models the table does not name.
const AnyModel = "*"

// DefaultPrices are the prices unless PARLEY_PRICES changes them.
func DefaultPrices() Prices {
	return Prices{
		"gpt-4o-mini":  {Input: store.AmountOf(0.03), Output: store.AmountOf(0.12)},
		"gpt-4.1-nano": {Input: store.AmountOf(0.02), Output: store.AmountOf(0.08)},
		"gpt-4.1-mini": {Input: store.AmountOf(0.08), Output: store.AmountOf(0.32)},
		"gpt-4.1":      {Input: store.AmountOf(0.4), Output: store.AmountOf(1.6)},
		"gpt-4o":       {Input: store.AmountOf(0.5), Output: store.AmountOf(2)},
		AnyModel:       {Input: store.AmountOf(0.5), Output: store.AmountOf(2)},
	}
}

// Of returns a model's price.
func (p Prices) Of(model string) Price {
	if price, ok := p[model]; ok {
		return price
	}
	if i := strings.LastIndex(model, "/"); i >= 0 {
		if price, ok := p[model[i+1:]]; ok {
			return price
		}
	}
	return p[AnyModel]
}

// Cost is what a call with these tokens costs, rounded up to a thousandth
// of a credit.
func (p Prices) Cost(model string, input, output int) store.Amount {
	price := p.Of(model)
	milli := int64(max(input, 0))*int64(price.Input) + int64(max(output, 0))*int64(price.Output)
	return store.Amount((milli + 999) / 1000)
}

// parsePrices reads PARLEY_PRICES, a JSON object of model ids to
// {"input", "output"} credits per 1,000 tokens, laid over base: a model it
// names gets its price, the others keep theirs.
func parsePrices(base Prices, text string) (Prices, error) {
	var over Prices
	if err := json.Unmarshal([]byte(text), &over); err != nil {
		return nil, fmt.Errorf(`PARLEY_PRICES must be a JSON object like {"gpt-4o-mini": {"input": 0.03, "output": 0.12}, "*": {"input": 0.5, "output": 2}}: %v`, err)
	}
	out := Prices{}
	for m, price := range base {
		out[m] = price
	}
	for m, price := range over {
		if price.Input < 0 || price.Output < 0 {
			return nil, fmt.Errorf("PARLEY_PRICES: the price of %q cannot be negative", m)
		}
		out[m] = price
	}
	return out, nil
}
