package engine_test

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	parleyworker "github.com/parleyhq/parley/worker"
)

var recordJSONSchema = flag.Bool("record-json-schema", false, "record testdata/replay/jsonschema_unchecked.json again from a live run")

// schemaBot saves a JSON answer that must match its json_schema.
const schemaBot = `bot: quote
settings:
  ai:
    model: { id: test-model }
variables:
  product: { type: string }
  quote: { type: object }
nodes:
  ask:
    kind: question
    text: Which product?
    save: product
    next: price
  price:
    kind: llm
    prompt: "Quote {{ product }} as JSON."
    json_schema:
      type: object
      properties: { price: { type: number }, currency: { type: string } }
      required: [price, currency]
    reply: false
    save: quote
    on_error: sorry
    next: tell
  tell:
    kind: end
    text: "{{ product }} costs {{ quote.price }} {{ quote.currency }}."
  sorry:
    kind: end
    text: No quote today.
`

// TestRecordJSONSchemaHistory records, with -record-json-schema, a dialog
// whose json_schema answer parses but does not match the schema. It was
// recorded before such answers were checked, when they were saved as they
// were: TestReplay replays it against today's code.
func TestRecordJSONSchemaHistory(t *testing.T) {
	if !*recordJSONSchema {
		t.Skip("records only with -record-json-schema")
	}
	model := llmtest.New(t)
	model.Reply(`{"price": "twelve", "currency": "EUR"}`)
	acts := &parleyworker.Activities{LLM: llm.NewOpenAI(model.URL(), "")}
	recordDialog(t, filepath.Join("testdata", "replay", "jsonschema_unchecked.json"), acts, schemaBot, []update{
		{engine.UpdateMessage, engine.MessageInput{Text: "Widget"}},
	}, nil)
}
