// Package llm talks to language models: chat completions with streaming,
// tool calls and usage, and embeddings, behind one provider interface.
package llm

import (
	"context"
	"encoding/json"
)

// Provider is a language model service.
type Provider interface {
	// Chat runs a chat completion. Text deltas are passed to onDelta as
	// they arrive (it may be nil); the whole answer is returned.
	Chat(ctx context.Context, req ChatRequest, onDelta func(string)) (*ChatResponse, error)
	// Embed returns one vector per input text.
	Embed(ctx context.Context, model string, inputs []string) ([][]float32, error)
}

// Role of a chat message.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one message of a chat.
type Message struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`   // assistant messages that call tools
	ToolCallID string     `json:"tool_call_id,omitempty"` // tool messages: the call answered
}

// Tool is a function the model may call.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"` // JSON Schema of the arguments
}

// ToolCall is the model's request to call a tool.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON
}

// ChatRequest is one completion request. Nil pointers are not sent.
type ChatRequest struct {
	Model            string
	Messages         []Message
	Tools            []Tool
	Temperature      *float64
	MaxTokens        *int
	TopP             *float64
	FrequencyPenalty *float64
	PresencePenalty  *float64
	// JSONSchema, when set, asks for a JSON answer matching it
	// (response_format json_schema).
	JSONSchema map[string]any
}

// ChatResponse is a finished completion.
type ChatResponse struct {
	Content      string
	ToolCalls    []ToolCall
	FinishReason string
	Usage        Usage
}

// Usage counts the tokens of one call.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}
