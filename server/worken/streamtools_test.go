package worken_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
)

// weatherBot's model may call a tool a service on loopback answers.
const weatherBot = `bot: weather
settings:
  ai:
    model: { id: test-model }
    tools: { forecast: auto }
  tools:
    forecast:
      description: The forecast for a city.
      parameters: { type: object, properties: { city: { type: string } } }
      url: %s/forecast
nodes:
  chat:
    kind: llm
    converse: true
`

// TestStreamShowsToolCalls: a tool the model calls shows in the stream
// before the answer: tool-input-available and tool-output-available for
// the AI SDK (with the call's id, name, arguments and the service's JSON
// answer), tool-call and tool-result in Worken's own format.
func TestStreamShowsToolCalls(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, worken.Dialect)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"asked": %s, "sky": "clear"}`, body)
	}))
	t.Cleanup(svc.Close)
	c, _ := flowChat(t, e, e.A, fmt.Sprintf(weatherBot, svc.URL))
	base := "/chats/" + c.ID + "/threads/"

	model.ReplyToolCall("forecast", `{"city": "Oslo"}`)
	model.Reply("Clear skies in Oslo.")
	cs, _ := chunks(t, e.Do("POST", base+"sdk/stream", e.A.Bearer(), aiSDKBody("Weather in Oslo?")))
	got := strings.Join(types(cs), " ")
	if !strings.Contains(got, "tool-input-available tool-output-available text-start") {
		t.Fatalf("AI SDK chunks %s: want the tool's input and output before the answer", got)
	}
	in, out := chunkOf(cs, "tool-input-available"), chunkOf(cs, "tool-output-available")
	input, _ := in["input"].(map[string]any)
	output, _ := out["output"].(map[string]any)
	if in["toolName"] != "forecast" || in["toolCallId"] == "" || in["toolCallId"] != out["toolCallId"] ||
		input["city"] != "Oslo" || output["sky"] != "clear" {
		t.Errorf("tool chunks %v / %v", in, out)
	}
	if texts := uiText(t, cs); strings.Join(texts, "|") != "Clear skies in Oslo." {
		t.Errorf("texts %q", texts)
	}

	model.ReplyToolCall("forecast", `{"city": "Rome"}`)
	model.Reply("Clear in Rome too.")
	cs, _ = chunks(t, e.Do("POST", base+"doc/stream", e.A.Bearer(), docBody("And Rome?")))
	got = strings.Join(types(cs), " ")
	if !strings.HasPrefix(got, "tool-call tool-result text-delta") || !strings.HasSuffix(got, "finish") {
		t.Fatalf("Worken chunks %s", got)
	}
	call, result := chunkOf(cs, "tool-call"), chunkOf(cs, "tool-result")
	args, _ := call["args"].(map[string]any)
	res, _ := result["result"].(map[string]any)
	if call["toolName"] != "forecast" || args["city"] != "Rome" || result["toolName"] != "forecast" || res["sky"] != "clear" {
		t.Errorf("Worken tool events %v / %v", call, result)
	}
}

// TestStreamScheduledMessage: a user's message with scheduledAt in the
// future answers at once with only the finish; the dialog keeps it and
// takes it as the user's when it is due, and the bot answers then.
func TestStreamScheduledMessage(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, worken.Dialect)
	b := createBot(t, e, e.A, "Later")
	c := apiChat(t, e, e.A, b.ID)
	base := "/chats/" + c.ID + "/threads/"

	model.Reply("Hello now.")
	chunks(t, e.Do("POST", base+"later/stream", e.A.Bearer(), docBody("hi")))
	at := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	body := docBody("this one is for later")
	body["scheduledAt"] = at
	cs, _ := chunks(t, e.Do("POST", base+"later/stream", e.A.Bearer(), body))
	if got := strings.Join(types(cs), " "); got != "finish" {
		t.Errorf("a scheduled message streams %s, want only finish", got)
	}
	var msgs []message
	ok(t, e.Do("GET", base+"later/messages", e.A.Bearer(), nil), &msgs)
	if len(msgs) != 2 {
		t.Fatalf("before its time the scheduled message is not in the thread: %+v", msgs)
	}

	model.Reply("Answered at the scheduled time.")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ok(t, e.Do("GET", base+"later/messages", e.A.Bearer(), nil), &msgs)
		if len(msgs) == 4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(msgs) != 4 || msgs[2].Role != "user" || msgs[2].Content != "this one is for later" ||
		msgs[3].Role != "assistant" || msgs[3].Content != "Answered at the scheduled time." {
		t.Errorf("after its time: %+v", msgs)
	}

	past := docBody("too late")
	past["scheduledAt"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	model.Reply("A past time is now.")
	cs, _ = chunks(t, e.Do("POST", base+"later/stream", e.A.Bearer(), past))
	if text := strings.Join(docTexts(cs), ""); text != "A past time is now." {
		t.Errorf("a scheduledAt that has passed sends now: %v", cs)
	}
}

// TestStreamSendsFlowFiles: a flow's files sent by address are the AI
// SDK's file parts after their message's text.
func TestStreamSendsFlowFiles(t *testing.T) {
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, `bot: menu
nodes:
  hello:
    kind: message
    text: Our menu.
    attachments: [{ url: "https://example.com/menu.pdf?v=2" }]
    next: ask
  ask:
    kind: question
    text: Anything else?
`)
	cs, _ := chunks(t, e.Do("POST", "/chats/"+c.ID+"/threads/menu/stream", e.A.Bearer(), aiSDKBody("hi")))
	got := strings.Join(types(cs), " ")
	if !strings.Contains(got, "text-end file text-start") {
		t.Fatalf("chunks %s: want the file after the menu's text", got)
	}
	if f := chunkOf(cs, "file"); f["url"] != "https://example.com/menu.pdf?v=2" || f["mediaType"] != "application/pdf" {
		t.Errorf("file part %v", f)
	}
}

// TestStreamSaysWhyTheBotStopped: a turn that stops the bot (here: no
// model is configured) ends the stream with an error saying what to do,
// not a silent finish, in both formats.
func TestStreamSaysWhyTheBotStopped(t *testing.T) {
	e := newEnv(t) // no LLM provider
	c := apiChat(t, e, e.A, createBot(t, e, e.A, "No model").ID)
	cs, done := chunks(t, e.Do("POST", "/chats/"+c.ID+"/threads/t1/stream", e.A.Bearer(), aiSDKBody("hi")))
	last := cs[len(cs)-1]
	if last["type"] != "error" || !strings.Contains(last["errorText"].(string), "PARLEY_LLM_BASE_URL") || !done {
		t.Errorf("AI SDK chunks %v (done %v)", cs, done)
	}
	cs, _ = chunks(t, e.Do("POST", "/chats/"+c.ID+"/threads/t2/stream", e.A.Bearer(), docBody("hi")))
	if last := cs[len(cs)-1]; last["type"] != "error" || !strings.Contains(last["error"].(string), "PARLEY_LLM_BASE_URL") {
		t.Errorf("Worken chunks %v", cs)
	}
}

// chunkOf is the first chunk of a type, or nil.
func chunkOf(cs []map[string]any, typ string) map[string]any {
	for _, c := range cs {
		if c["type"] == typ {
			return c
		}
	}
	return nil
}

// TestStreamTrimmedAnswerOnce: a model's answer that ends in a newline is
// stored trimmed; the stream, which sent it as it was written, does not
// send the stored message again, in either format.
func TestStreamTrimmedAnswerOnce(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, worken.Dialect)
	c, _ := flowChat(t, e, e.A, fmt.Sprintf(weatherBot, "http://127.0.0.1:1"))
	base := "/chats/" + c.ID + "/threads/"

	model.Reply("Clear skies.\n")
	cs, _ := chunks(t, e.Do("POST", base+"sdk/stream", e.A.Bearer(), aiSDKBody("Weather?")))
	if texts := uiText(t, cs); strings.Join(texts, "|") != "Clear skies.\n" {
		t.Errorf("AI SDK texts %q: want the answer once", texts)
	}
	model.Reply("Rain.\n")
	cs, _ = chunks(t, e.Do("POST", base+"doc/stream", e.A.Bearer(), docBody("And tomorrow?")))
	if texts := docTexts(cs); strings.Join(texts, "") != "Rain.\n" {
		t.Errorf("Worken text deltas %q: want the answer once", texts)
	}
}
