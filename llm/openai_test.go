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
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
)

const model = "openai/gpt-4o-mini"

// newClient points a provider at s with fast retries.
func newClient(s *llmtest.Server, opts ...llm.Option) *llm.OpenAI {
	return llm.NewOpenAI(s.URL(), "sk-test", append([]llm.Option{llm.WithRetry(4, time.Millisecond)}, opts...)...)
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

func TestRetryAfterHonoured(t *testing.T) {
	s := llmtest.New(t)
	s.FailWithRetryAfter(http.StatusTooManyRequests, 1)
	s.Reply("ok")
	start := time.Now()
	resp, err := chat(newClient(s), "hi")
	if err != nil || resp.Content != "ok" {
		t.Fatalf("%v %v", resp, err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, want the 1s Retry-After", d)
	}
	if n := len(s.Requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestRetryAfterTooLongFailsFast(t *testing.T) {
	s := llmtest.New(t)
	s.FailWithRetryAfter(http.StatusTooManyRequests, 3600)
	s.Reply("ok")
	start := time.Now()
	_, err := chat(newClient(s), "hi")
	var e *llm.Error
	if !errors.As(err, &e) || e.StatusCode != 429 || e.RetryAfter != time.Hour || !llm.IsRetryable(err) {
		t.Fatalf("error %v", err)
	}
	if d := time.Since(start); d > time.Second || len(s.Requests()) != 1 {
		t.Errorf("took %v and %d requests, want a fast single try", d, len(s.Requests()))
	}
}

func TestNoWaitPastCallerDeadline(t *testing.T) {
	s := llmtest.New(t)
	s.FailWithRetryAfter(http.StatusServiceUnavailable, 5)
	s.Reply("ok")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := newClient(s).Chat(ctx, llm.ChatRequest{Model: model}, nil)
	if err == nil || !strings.Contains(err.Error(), "503 Service Unavailable") || time.Since(start) > 200*time.Millisecond {
		t.Fatalf("error %v after %v, want the 503 at once", err, time.Since(start))
	}
}

func TestRetries5xx(t *testing.T) {
	s := llmtest.New(t)
	s.Fail(500, "boom")
	s.Fail(503, "overloaded")
	s.Reply("ok")
	resp, err := chat(newClient(s), "hi")
	if err != nil || resp.Content != "ok" {
		t.Fatalf("%v %v", resp, err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestGivesUpAfterAttempts(t *testing.T) {
	s := llmtest.New(t)
	for range 4 {
		s.Fail(502, "bad gateway")
	}
	s.Reply("never reached")
	_, err := chat(newClient(s), "hi")
	if err == nil || !llm.IsRetryable(err) || !strings.Contains(err.Error(), "502 Bad Gateway: bad gateway") {
		t.Fatalf("error %v", err)
	}
	if n := len(s.Requests()); n != 4 {
		t.Errorf("%d requests, want 4", n)
	}
}

func TestUnauthorizedNotRetried(t *testing.T) {
	s := llmtest.New(t)
	s.Fail(401, "Incorrect API key provided")
	s.Reply("never reached")
	_, err := chat(newClient(s), "hi")
	want := fmt.Sprintf("llm: %s at %s/chat/completions: 401 Unauthorized: Incorrect API key provided", model, s.URL())
	if err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant  %s", err, want)
	}
	if llm.IsRetryable(err) || len(s.Requests()) != 1 {
		t.Errorf("retryable %v after %d requests", llm.IsRetryable(err), len(s.Requests()))
	}
}

// failFirst fails the first round trip as a dropped connection would.
type failFirst struct{ n atomic.Int32 }

func (f *failFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(1) == 1 {
		return nil, errors.New("connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestConnectionErrorRetried(t *testing.T) {
	s := llmtest.New(t)
	s.Reply("ok")
	resp, err := chat(newClient(s, llm.WithHTTPClient(&http.Client{Transport: &failFirst{}})), "hi")
	if err != nil || resp.Content != "ok" {
		t.Fatalf("%v %v", resp, err)
	}
}

func TestNoRetryOnceStreaming(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, `data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}`+"\n\n")
		// Ends without finish_reason or [DONE], as a dropped stream does.
	}))
	defer srv.Close()
	var deltas []string
	_, err := llm.NewOpenAI(srv.URL, "", llm.WithRetry(4, time.Millisecond)).Chat(context.Background(),
		llm.ChatRequest{Model: model}, func(d string) { deltas = append(deltas, d) })
	if err == nil || hits.Load() != 1 || !reflect.DeepEqual(deltas, []string{"Hel"}) {
		t.Fatalf("error %v after %d requests, deltas %q", err, hits.Load(), deltas)
	}
	if !llm.IsRetryable(err) {
		t.Errorf("a cut stream should be retryable by the caller: %v", err)
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
	s.Fail(500, "warming up") // embeddings are retried too
	inputs := []string{"refund policy", "opening hours", "Refund policy!", ""}
	vecs, err := newClient(s).Embed(context.Background(), "text-embedding-3-small", inputs)
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
	if v, err := newClient(s).Embed(context.Background(), "m", nil); v != nil || err != nil || len(s.Requests()) != 2 {
		t.Errorf("empty input: %v %v, %d requests", v, err, len(s.Requests()))
	}
}

func TestNoScriptedReply(t *testing.T) {
	s := llmtest.New(t)
	_, err := chat(newClient(s, llm.WithRetry(1, 0)), "hi")
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

// TestOneAttemptByDefault: the provider does not retry unless asked to;
// the caller (a Temporal activity) owns the retries.
func TestOneAttemptByDefault(t *testing.T) {
	s := llmtest.New(t)
	s.Fail(http.StatusServiceUnavailable, "overloaded")
	s.Reply("not asked")
	_, err := chat(llm.NewOpenAI(s.URL(), ""), "hi")
	if err == nil || !llm.IsRetryable(err) || llm.IsRejected(err) {
		t.Fatalf("error %v, want a retryable 503", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestWhichStatusesAreRetried: a 4xx other than 408 and 429 is the
// provider refusing the request itself, never sent again.
func TestWhichStatusesAreRetried(t *testing.T) {
	for _, tc := range []struct {
		status   int
		retried  bool
		rejected bool
	}{
		{400, false, true}, {401, false, true}, {403, false, true}, {404, false, true}, {422, false, true},
		{408, true, false}, {429, true, false}, {500, true, false}, {502, true, false}, {503, true, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			s := llmtest.New(t)
			s.Fail(tc.status, "no")
			s.Reply("ok")
			_, err := chat(newClient(s), "hi")
			if n := len(s.Requests()); (n == 2) != tc.retried {
				t.Errorf("%d requests, retried want %v (error %v)", n, tc.retried, err)
			}
			s = llmtest.New(t)
			s.Fail(tc.status, "no")
			_, err = chat(llm.NewOpenAI(s.URL(), ""), "hi")
			if llm.IsRetryable(err) != tc.retried || llm.IsRejected(err) != tc.rejected {
				t.Errorf("%v: retryable %v rejected %v, want %v %v", err, llm.IsRetryable(err), llm.IsRejected(err), tc.retried, tc.rejected)
			}
		})
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
