package worken_test

import (
	"testing"
)

// TestDocumentExamples sends the Worken document's own curl examples, their
// bodies byte for byte, and checks what they promise: the bot is made, and
// the settings change only what the body names.
func TestDocumentExamples(t *testing.T) {
	e := newEnv(t)
	const createBody = `{"name": "Бот продаж"}` // curl https://api.worken.ru/bots -X POST ... -d
	var b bot
	ok(t, send(t, e, "POST", "/bots", e.A.Bearer(), "application/json", []byte(createBody), nil), &b)
	if b.Name != "Бот продаж" || b.ID == "" {
		t.Fatalf("created %+v", b)
	}
	var before settings
	ok(t, e.Do("GET", "/bots/"+b.ID+"/settings", e.A.Bearer(), nil), &before)

	// curl https://api.worken.ru/bots/${BOT_ID}/settings -X POST ... -d
	const settingsBody = `{
    "ai": {
      "instruction": "Ты помощник по продажам. Фокусируйся на преимуществах продукта.",
      "model": { "id": "openai/gpt-4o", "temperature": 0.7 }
    }
  }`
	var after settings
	ok(t, send(t, e, "POST", "/bots/"+b.ID+"/settings", e.A.Bearer(), "application/json", []byte(settingsBody), nil), &after)
	var got settings
	ok(t, e.Do("GET", "/bots/"+b.ID+"/settings", e.A.Bearer(), nil), &got)
	for name, s := range map[string]settings{"the answer": after, "a later GET": got} {
		if s.AI.Instruction != "Ты помощник по продажам. Фокусируйся на преимуществах продукта." ||
			s.AI.Model.ID != "openai/gpt-4o" || s.AI.Model.Temperature != 0.7 {
			t.Errorf("%s: %+v", name, s.AI)
		}
		if s.AI.Model.MaxTokens != before.AI.Model.MaxTokens || s.AI.Memory != before.AI.Memory || s.AI.Formatting != before.AI.Formatting {
			t.Errorf("%s changed what the body does not name: %+v, was %+v", name, s.AI, before.AI)
		}
	}
}
