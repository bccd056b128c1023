package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Request is a request received, decoded from the OpenAI wire format.
type Request struct {
	Path          string         `json:"-"` // /v1/chat/completions or /v1/embeddings
	Authorization string         `json:"-"` // the header, e.g. "Bearer sk-..."
	Time          time.Time      `json:"-"` // when it arrived
	Raw           map[string]any `json:"-"` // the whole body, for what is not below

	Model            string         `json:"model"`
	Messages         []Message      `json:"messages"`
	Tools            []Tool         `json:"tools"`
	Temperature      *float64       `json:"temperature"`
	MaxTokens        *int           `json:"max_tokens"`
	TopP             *float64       `json:"top_p"`
	FrequencyPenalty *float64       `json:"frequency_penalty"`
	PresencePenalty  *float64       `json:"presence_penalty"`
	ResponseFormat   map[string]any `json:"response_format"`
	Stream           bool           `json:"stream"`
	StreamOptions    struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`

	Input []string `json:"input"` // embeddings
}

// Message is a chat message as sent (content null reads as "").
type Message struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls"`
	ToolCallID string     `json:"tool_call_id"`
}

// ToolCall is an assistant message's call, as sent.
type ToolCall struct {
	ID       string   `json:"id"`
	Type     string   `json:"type"`
	Function Function `json:"function"`
}

// Function names a function; Arguments is set in calls, Description and
// Parameters in tool declarations.
type Function struct {
	Name        string          `json:"name"`
	Arguments   string          `json:"arguments,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// Tool is a tool declared to the model.
type Tool struct {
	Type     string   `json:"type"`
	Function Function `json:"function"`
}

func (s *Server) chat(w http.ResponseWriter, r *http.Request) {
	req, ok := s.receive(w, r)
	if !ok {
		return
	}
	if !req.Stream {
		writeError(w, http.StatusBadRequest, "llmtest: only streamed chat completions are supported")
		return
	}
	st, ok := s.ruleFor(req)
	if !ok {
		st, ok = s.next(false)
	}
	if !ok {
		writeError(w, http.StatusInternalServerError, "llmtest: no scripted reply")
		return
	}
	if st.status != 0 {
		s.fail(w, st)
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	id, created := fmt.Sprintf("chatcmpl-llmtest-%d", time.Now().UnixNano()), time.Now().Unix()
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		rc.Flush() // one network write per chunk, like a real stream
	}
	delta := func(d map[string]any, finish any) {
		send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created,
			"model": req.Model, "choices": []any{map[string]any{
				"index": 0, "delta": d, "finish_reason": finish}}})
	}

	finish, completion := "stop", words(st.text)
	if st.tool == "" {
		delta(map[string]any{"role": "assistant", "content": ""}, nil)
		for _, piece := range strings.SplitAfter(st.text, " ") {
			if piece != "" {
				delta(map[string]any{"content": piece}, nil)
			}
		}
		if st.cut {
			return
		}
	} else {
		finish, completion = "tool_calls", words(st.tool, st.args)
		s.mu.Lock()
		s.calls++
		callID := fmt.Sprintf("call_llmtest_%d", s.calls)
		s.mu.Unlock()
		delta(map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
			"index": 0, "id": callID, "type": "function",
			"function": map[string]any{"name": st.tool, "arguments": ""}}}}, nil)
		for _, piece := range thirds(st.args) {
			delta(map[string]any{"tool_calls": []any{map[string]any{
				"index": 0, "function": map[string]any{"arguments": piece}}}}, nil)
		}
	}
	delta(map[string]any{}, finish)
	if req.StreamOptions.IncludeUsage {
		prompt := 0
		for _, m := range req.Messages {
			prompt += words(m.Content)
		}
		send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created,
			"model": req.Model, "choices": []any{}, "usage": map[string]any{
				"prompt_tokens": prompt, "completion_tokens": completion,
				"total_tokens": prompt + completion}})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// thirds splits s into up to three non-empty pieces, on rune boundaries.
func thirds(s string) []string {
	r := []rune(s)
	size := max((len(r)+2)/3, 1)
	var out []string
	for len(r) > 0 {
		n := min(size, len(r))
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return out
}
