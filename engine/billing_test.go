package engine_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

const paidBot = `bot: paid
settings:
  ai:
    model: { id: test-model }
variables:
  q: { type: string }
nodes:
  ask:
    kind: question
    text: Ask me.
    save: q
    next: answer
  answer:
    kind: llm
    on_error: broke
    next: ask
  broke:
    kind: end
    text: Out of credits.
`

// perToken prices test-model at one credit a token.
var perToken = billing.Prices{"test-model": {Input: 1000 * store.Credits, Output: 1000 * store.Credits}}

// paidEnv publishes paidBot in an env billed by cfg, starts a dialog and
// returns a function that sends a message and returns the turn's texts.
func paidEnv(t *testing.T, cfg billing.Config) (*servertest.Env, *llmtest.Server, func(text string) []string, string) {
	t.Helper()
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), ""), Billing: &billing.Service{Config: cfg}},
		native.Dialect)
	if r := e.Do("PUT", "/v1/bots/paid/flow", e.A.Bearer(), paidBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/paid/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	send := func(text string) []string {
		t.Helper()
		var turn struct{ Messages []struct{ Text string } }
		r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": text})
		if r.Status != 200 {
			t.Fatalf("message: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &turn)
		var texts []string
		for _, m := range turn.Messages {
			texts = append(texts, m.Text)
		}
		return texts
	}
	return e, model, send, created.ID
}

// TestLLMCallsAreCharged: each model call is charged by its usage, bonus
// first; the call that costs more than is left takes the balance to 0 and
// logs billing.balance.low; the next llm node is refused before the model
// is asked and follows its on_error.
func TestLLMCallsAreCharged(t *testing.T) {
	cfg := billing.Default()
	cfg.Enabled, cfg.Prices, cfg.StartBonus, cfg.LowBalance = true, perToken, 30*store.Credits, 20*store.Credits
	e, model, send, dialogID := paidEnv(t, cfg)
	ctx := t.Context()

	model.Reply("one two three")
	if got := send("hello there"); strings.Join(got, "|") != "one two three|Ask me." {
		t.Fatalf("first turn: %q", got)
	}
	d, err := e.Store.Dialog(ctx, e.A.ID, dialogID)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := e.Store.Messages(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var usage *store.Usage
	for _, m := range msgs {
		if m.Usage != nil {
			usage = m.Usage
		}
	}
	if usage == nil || usage.PromptTokens == 0 || usage.CompletionTokens != 3 {
		t.Fatalf("usage of the first answer: %+v", usage)
	}
	cost := store.Amount(usage.PromptTokens+usage.CompletionTokens) * store.Credits
	txs, total, err := e.Store.Transactions(ctx, store.TransactionQuery{ProjectID: e.A.ID, Limit: 10, Offset: 0})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || txs[0].Type != store.TransactionCharge || txs[0].Amount != -cost || txs[0].Bonus != -cost ||
		!strings.Contains(txs[0].Description, "test-model") || txs[1].Type != store.TransactionBonus {
		t.Fatalf("transactions after one call costing %s: %d %+v", cost, total, txs)
	}

	model.Reply(strings.Repeat("word ", 40)) // more than is left
	if got := send("more please"); len(got) != 2 {
		t.Fatalf("second turn: %q", got)
	}
	a, err := e.Store.BillingAccount(ctx, e.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Balance() != 0 {
		t.Fatalf("balance after a call costing more than was left: %s credits + %s bonus, want 0", a.Credits, a.Bonus)
	}
	lows, err := e.Store.Events(ctx, e.A.ID, store.EventFilter{Types: []string{store.EventBillingBalanceLow}})
	if err != nil {
		t.Fatal(err)
	}
	if len(lows) != 1 {
		t.Fatalf("%d billing.balance.low events, want 1", len(lows))
	}

	if got := send("and again"); strings.Join(got, "|") != "Out of credits." {
		t.Fatalf("a turn with an empty account: %q, want the on_error branch", got)
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2: an account that cannot pay is refused before the call", n)
	}
	if _, total, _ := e.Store.Transactions(ctx, store.TransactionQuery{ProjectID: e.A.ID, Limit: 10, Offset: 0}); total != 3 {
		t.Errorf("%d transactions, want the bonus and two charges", total)
	}
}

// TestBillingOffChargesNothing: with billing off, an empty account does
// not stop the model and nothing is charged.
func TestBillingOffChargesNothing(t *testing.T) {
	cfg := billing.Default()
	cfg.Prices = perToken
	e, model, send, _ := paidEnv(t, cfg)
	model.Reply("free answer")
	if got := send("hello"); strings.Join(got, "|") != "free answer|Ask me." {
		t.Fatalf("turn: %q", got)
	}
	if _, total, err := e.Store.Transactions(t.Context(), store.TransactionQuery{ProjectID: e.A.ID, Limit: 10}); err != nil || total != 0 {
		t.Errorf("%d transactions (%v), want none", total, err)
	}
}
