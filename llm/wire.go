package llm

import "encoding/json"

// The JSON shapes of the OpenAI chat completions and embeddings APIs.

type chatBody struct {
	Model            string          `json:"model"`
	Messages         []wireMessage   `json:"messages"`
	Tools            []wireTool      `json:"tools,omitempty"`
	Temperature      *float64        `json:"temperature,omitempty"`
	MaxTokens        *int            `json:"max_tokens,omitempty"`
	TopP             *float64        `json:"top_p,omitempty"`
	FrequencyPenalty *float64        `json:"frequency_penalty,omitempty"`
	PresencePenalty  *float64        `json:"presence_penalty,omitempty"`
	ResponseFormat   *responseFormat `json:"response_format,omitempty"`
	Stream           bool            `json:"stream"`
	StreamOptions    streamOptions   `json:"stream_options"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"` // usage arrives in a last chunk
}

type wireMessage struct {
	Role string `json:"role"`
	// Content is null, not "", on assistant messages that only call tools,
	// as the API itself returns them: some compatible servers reject "".
	Content    *string        `json:"content"`
	ToolCalls  []wireToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type wireToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"` // "function"
	Function wireFunction `json:"function"`
}

type wireFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireTool struct {
	Type     string       `json:"type"` // "function"
	Function wireToolSpec `json:"function"`
}

type wireToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

type responseFormat struct {
	Type       string     `json:"type"` // "json_schema"
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   string         `json:"name"`
	Schema map[string]any `json:"schema"`
	// Strict is off: strict mode rejects common schemas (optional
	// properties, no additionalProperties: false); callers validate.
	Strict bool `json:"strict"`
}

// emptyParameters is sent for tools without a schema: OpenAI rejects null.
var emptyParameters = json.RawMessage(`{"type":"object","properties":{}}`)

func newChatBody(req ChatRequest) chatBody {
	b := chatBody{
		Model:            req.Model,
		Messages:         make([]wireMessage, len(req.Messages)),
		Temperature:      req.Temperature,
		MaxTokens:        req.MaxTokens,
		TopP:             req.TopP,
		FrequencyPenalty: req.FrequencyPenalty,
		PresencePenalty:  req.PresencePenalty,
		Stream:           true,
		StreamOptions:    streamOptions{IncludeUsage: true},
	}
	for i, m := range req.Messages {
		w := wireMessage{Role: m.Role, ToolCallID: m.ToolCallID}
		if m.Content != "" || len(m.ToolCalls) == 0 {
			w.Content = &m.Content
		}
		for _, c := range m.ToolCalls {
			w.ToolCalls = append(w.ToolCalls, wireToolCall{ID: c.ID, Type: "function",
				Function: wireFunction{Name: c.Name, Arguments: c.Arguments}})
		}
		b.Messages[i] = w
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 || string(params) == "null" {
			params = emptyParameters
		}
		b.Tools = append(b.Tools, wireTool{Type: "function",
			Function: wireToolSpec{Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if req.JSONSchema != nil {
		b.ResponseFormat = &responseFormat{Type: "json_schema",
			JSONSchema: jsonSchema{Name: "answer", Schema: req.JSONSchema}}
	}
	return b
}

type embedBody struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embedAnswer struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}
