package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

const model = "openai/gpt-4o-mini"

// newClient points a provider at s.
func newClient(s *llmtest.Server, opts ...llm.Option) *llm.OpenAI {
	return llm.NewOpenAI(s.URL(), "sk-test", opts...)
}

func chat(p llm.Provider, text string) (*llm.ChatResponse, error) {
	return p.Chat(context.Background(), llm.ChatRequest{Model: model,
		Messages: []llm.Message{{Role: llm.RoleUser, Content: text}}}, nil)
}

func TestChatStreamsText(t *testing.T) {
	s := llmtest.New(t)
	want := "Hello there, how can I help?"
	s.Reply(want)
	var deltas []string
	resp, err := newClient(s).Chat(context.Background(), llm.ChatRequest{Model: model,
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi you two"}}},
		func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if len(deltas) < 2 || strings.Join(deltas, "") != want {
		t.Errorf("deltas %q, want several making %q", deltas, want)
	}
	if resp.Content != want || resp.FinishReason != "stop" || len(resp.ToolCalls) != 0 {
		t.Errorf("response %+v", resp)
	}
	// The fake counts words: 3 in the prompt, 6 in the reply.
	if resp.Usage != (llm.Usage{PromptTokens: 3, CompletionTokens: 6}) {
		t.Errorf("usage %+v", resp.Usage)
	}
}

func TestChatToolCall(t *testing.T) {
	s := llmtest.New(t)
	args := `{"city":"Paris","unit":"celsius"}`
	s.ReplyToolCall("get_weather", args)
	called := false
	resp, err := newClient(s).Chat(context.Background(), llm.ChatRequest{Model: model,
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "weather?"}}},
		func(string) { called = true })
	if err != nil {
		t.Fatal(err)
	}
	if called || resp.Content != "" || resp.FinishReason != "tool_calls" || len(resp.ToolCalls) != 1 {
		t.Fatalf("response %+v (onDelta called: %v)", resp, called)
	}
	c := resp.ToolCalls[0]
	if c.Name != "get_weather" || c.Arguments != args || !strings.HasPrefix(c.ID, "call_") {
		t.Errorf("tool call %+v", c)
	}
}

// TestDefaultModel: a request that names no model asks for the provider's
// default, DefaultModel unless set.
func TestDefaultModel(t *testing.T) {
	s := llmtest.New(t)
	s.Reply("ok")
	s.Reply("ok")
	for _, p := range []*llm.OpenAI{newClient(s), newClient(s, llm.WithDefaultModel("llama3.2"))} {
		if _, err := p.Chat(context.Background(), llm.ChatRequest{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Model != llm.DefaultModel || reqs[1].Model != "llama3.2" {
		t.Fatalf("models asked for: %+v", reqs)
	}
}

func TestChatRequestBody(t *testing.T) {
	s := llmtest.New(t)
	s.Reply("ok")
	s.Reply("ok")
	temp, maxTokens, topP, freq, pres := 0.0, 256, 0.9, 0.5, -0.5
	params := json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)
	schema := map[string]any{"type": "object", "required": []any{"name"}}
	p := newClient(s)
	_, err := p.Chat(context.Background(), llm.ChatRequest{
		Model: model,
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "Be brief."},
			{Role: llm.RoleUser, Content: "Weather in Paris?"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
			{Role: llm.RoleTool, ToolCallID: "call_1", Content: "18C"},
		},
		Tools:            []llm.Tool{{Name: "get_weather", Description: "Weather of a city", Parameters: params}, {Name: "now"}},
		Temperature:      &temp,
		MaxTokens:        &maxTokens,
		TopP:             &topP,
		FrequencyPenalty: &freq,
		PresencePenalty:  &pres,
		JSONSchema:       schema,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chat(p, "bare"); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	r := reqs[0]
	if r.Path != "/v1/chat/completions" || r.Authorization != "Bearer sk-test" || r.Model != model ||
		!r.Stream || !r.StreamOptions.IncludeUsage {
		t.Errorf("request %+v", r)
	}
	wantMessages := []llmtest.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "Weather in Paris?"},
		{Role: "assistant", ToolCalls: []llmtest.ToolCall{{ID: "call_1", Type: "function",
			Function: llmtest.Function{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}},
		{Role: "tool", Content: "18C", ToolCallID: "call_1"},
	}
	if !reflect.DeepEqual(r.Messages, wantMessages) {
		t.Errorf("messages\n%+v\nwant\n%+v", r.Messages, wantMessages)
	}
	if c := r.Raw["messages"].([]any)[2].(map[string]any)["content"]; c != nil {
		t.Errorf("assistant tool call content %v, want null", c)
	}
	if len(r.Tools) != 2 || r.Tools[0].Type != "function" || r.Tools[0].Function.Name != "get_weather" ||
		r.Tools[0].Function.Description != "Weather of a city" || string(r.Tools[0].Function.Parameters) != string(params) {
		t.Errorf("tools %+v", r.Tools)
	}
	if got := string(r.Tools[1].Function.Parameters); got != `{"type":"object","properties":{}}` {
		t.Errorf("parameters of a tool without schema: %s", got)
	}
	if *r.Temperature != 0 || *r.MaxTokens != 256 || *r.TopP != 0.9 || *r.FrequencyPenalty != 0.5 || *r.PresencePenalty != -0.5 {
		t.Errorf("sampling %v %v %v %v %v", *r.Temperature, *r.MaxTokens, *r.TopP, *r.FrequencyPenalty, *r.PresencePenalty)
	}
	wantFormat := map[string]any{"type": "json_schema", "json_schema": map[string]any{
		"name": "answer", "strict": false, "schema": schema}}
	if !reflect.DeepEqual(r.ResponseFormat, wantFormat) {
		t.Errorf("response_format %v", r.ResponseFormat)
	}
	// Unset options are not sent at all, so the provider's defaults apply.
	for _, k := range []string{"tools", "temperature", "max_tokens", "top_p", "frequency_penalty", "presence_penalty", "response_format"} {
		if v, ok := reqs[1].Raw[k]; ok {
			t.Errorf("bare request sends %s: %v", k, v)
		}
	}
}

// Every failure below comes after exactly one request, with a reply still
// scripted: the provider never sends a request twice; the caller retries.

// TestRateLimited: a 429 says when to try again; the provider reports it
// rather than waiting.
func TestRateLimited(t *testing.T) {
	s := llmtest.New(t)
	s.FailWithRetryAfter(http.StatusTooManyRequests, 3600)
	s.Reply("never sent")
	_, err := chat(newClient(s), "hi")
	var e *llm.Error
	if !errors.As(err, &e) || e.StatusCode != 429 || e.RetryAfter != time.Hour || !llm.IsRetryable(err) {
		t.Fatalf("error %v, want a retryable 429 asking for an hour", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestFailedStatus: a 4xx other than 408 and 429 is the provider refusing
// the request itself (rejected); the others are worth another attempt.
func TestFailedStatus(t *testing.T) {
	for _, tc := range []struct {
		status    int
		retryable bool
	}{
		{400, false}, {401, false}, {403, false}, {404, false}, {422, false},
		{408, true}, {429, true}, {500, true}, {502, true}, {503, true},
	} {
		name := strconv.Itoa(tc.status) + " rejected"
		if tc.retryable {
			name = strconv.Itoa(tc.status) + " retryable"
		}
		t.Run(name, func(t *testing.T) {
			s := llmtest.New(t)
			s.Fail(tc.status, "no")
			s.Reply("never sent")
			_, err := chat(newClient(s), "hi")
			want := fmt.Sprintf("%d %s: no", tc.status, http.StatusText(tc.status))
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("error %v, want one ending %q", err, want)
			}
			if llm.IsRetryable(err) != tc.retryable || llm.IsRejected(err) == tc.retryable {
				t.Errorf("retryable %v, rejected %v", llm.IsRetryable(err), llm.IsRejected(err))
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// TestErrorText: the error names the model, the URL called, the status
// and the provider's own message.
func TestErrorText(t *testing.T) {
	s := llmtest.New(t)
	s.Fail(401, "Incorrect API key provided")
	_, err := chat(newClient(s), "hi")
	want := fmt.Sprintf("llm: %s at %s/chat/completions: 401 Unauthorized: Incorrect API key provided", model, s.URL())
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant  %s", err, want)
	}
}

// roundTripFunc is a transport made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestConnectionError: nothing arrived, so the request may be sent again.
func TestConnectionError(t *testing.T) {
	trips := 0
	reset := roundTripFunc(func(*http.Request) (*http.Response, error) {
		trips++
		return nil, errors.New("connection reset by peer")
	})
	_, err := chat(llm.NewOpenAI("http://model.invalid/v1", "", llm.WithHTTPClient(&http.Client{Transport: reset})), "hi")
	var e *llm.Error
	if !errors.As(err, &e) || e.StatusCode != 0 || !llm.IsRetryable(err) || llm.IsRejected(err) ||
		!strings.HasSuffix(err.Error(), ": connection reset by peer") {
		t.Fatalf("error %v, want a retryable connection error", err)
	}
	if trips != 1 {
		t.Errorf("%d round trips, want 1", trips)
	}
}

// TestCutStream: a stream that breaks mid-answer is retryable, and the
// text that arrived before the break reached onDelta (the caller's next
// attempt starts it over).
func TestCutStream(t *testing.T) {
	s := llmtest.New(t)
	s.ReplyCut("Hello th")
	s.Reply("never sent")
	var deltas []string
	_, err := newClient(s).Chat(context.Background(), llm.ChatRequest{Model: model},
		func(d string) { deltas = append(deltas, d) })
	if err == nil || !llm.IsRetryable(err) || !strings.Contains(err.Error(), "stream interrupted") {
		t.Fatalf("error %v, want a retryable interrupted stream", err)
	}
	if got := strings.Join(deltas, ""); got != "Hello th" {
		t.Errorf("deltas %q, want %q", deltas, "Hello th")
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestTimeout(t *testing.T) {
	s := llmtest.New(t)
	s.Delay(2 * time.Second)
	s.Reply("too late")
	start := time.Now()
	_, err := chat(newClient(s, llm.WithTimeout(50*time.Millisecond)), "hi")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > time.Second || len(s.Requests()) != 1 || llm.IsRetryable(err) {
		t.Errorf("took %v, %d requests, retryable %v", d, len(s.Requests()), llm.IsRetryable(err))
	}
}

func TestEmbed(t *testing.T) {
	s := llmtest.New(t)
	s.Fail(500, "warming up")
	inputs := []string{"refund policy", "opening hours", "Refund policy!", ""}
	p := newClient(s)
	// Embeddings fail as chats do: after one request, retryable by the caller.
	_, err := p.Embed(context.Background(), "text-embedding-3-small", inputs)
	if !llm.IsRetryable(err) || len(s.Requests()) != 1 {
		t.Fatalf("error %v after %d requests, want a retryable one after 1", err, len(s.Requests()))
	}
	vecs, err := p.Embed(context.Background(), "text-embedding-3-small", inputs)
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != len(inputs) {
		t.Fatalf("%d vectors", len(vecs))
	}
	for i, v := range vecs {
		var norm float64
		for _, x := range v {
			norm += float64(x) * float64(x)
		}
		if len(v) != llmtest.Dim || math.Abs(norm-1) > 1e-5 || !reflect.DeepEqual(v, llmtest.Embedding(inputs[i])) {
			t.Errorf("vector %d (len %d, norm² %v) is not input %q's", i, len(v), norm, inputs[i])
		}
	}
	if !reflect.DeepEqual(vecs[0], vecs[2]) || reflect.DeepEqual(vecs[0], vecs[1]) {
		t.Error("same words should embed alike, others not")
	}
	r := s.Requests()[1]
	if r.Path != "/v1/embeddings" || r.Model != "text-embedding-3-small" || !reflect.DeepEqual(r.Input, inputs) {
		t.Errorf("request %+v", r)
	}
	// No inputs, no request.
	if v, err := p.Embed(context.Background(), "m", nil); v != nil || err != nil || len(s.Requests()) != 2 {
		t.Errorf("empty input: %v %v, %d requests", v, err, len(s.Requests()))
	}
}

func TestNoScriptedReply(t *testing.T) {
	s := llmtest.New(t)
	_, err := chat(newClient(s), "hi")
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error: llmtest: no scripted reply") {
		t.Fatalf("error %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(llm.EnvBaseURL, "")
	t.Setenv(llm.EnvAPIKey, "")
	if p, err := llm.FromEnv(); p != nil || err != nil {
		t.Fatalf("unset: %v %v, want nil, nil", p, err)
	}

	s := llmtest.New(t)
	s.Reply("configured")
	t.Setenv(llm.EnvBaseURL, s.URL()+"/")
	t.Setenv(llm.EnvAPIKey, "sk-env")
	p, err := llm.FromEnv()
	if err != nil || p == nil {
		t.Fatalf("%v %v", p, err)
	}
	if resp, err := chat(p, "hi"); err != nil || resp.Content != "configured" {
		t.Fatalf("%v %v", resp, err)
	}
	if r := s.Requests()[0]; r.Authorization != "Bearer sk-env" || r.Path != "/v1/chat/completions" {
		t.Errorf("request %+v", r)
	}

	t.Setenv(llm.EnvBaseURL, "api.openai.com/v1")
	if _, err := llm.FromEnv(); err == nil || !strings.Contains(err.Error(), llm.EnvBaseURL) {
		t.Errorf("schemeless URL: %v", err)
	}
}

// TestRetryAfterMs: OpenAI's finer retry-after-ms wins over Retry-After.
func TestRetryAfterMs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.Header().Set("Retry-After-Ms", "1500")
		http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
	}))
	defer srv.Close()
	_, err := chat(llm.NewOpenAI(srv.URL, ""), "hi")
	var e *llm.Error
	if !errors.As(err, &e) || e.RetryAfter != 1500*time.Millisecond || e.Message != "slow down" {
		t.Fatalf("error %#v, want a 1.5s wait", err)
	}
}
