package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables read by FromEnv.
const (
	EnvBaseURL = "PARLEY_LLM_BASE_URL" // e.g. https://api.openai.com/v1, https://openrouter.ai/api/v1, http://localhost:11434/v1
	EnvAPIKey  = "PARLEY_LLM_API_KEY"
	// EnvModel is the model of requests that name none (a bot without
	// settings.ai.model.id); DefaultModel when unset.
	EnvModel = "PARLEY_LLM_MODEL"
)

// DefaultModel is the model of requests that name none when
// PARLEY_LLM_MODEL is unset.
const DefaultModel = "gpt-4o-mini"

// OpenAI is a Provider for any OpenAI-compatible API: OpenAI itself,
// OpenRouter ("openai/gpt-4o-mini" style model ids), Ollama's /v1, vLLM...
// It uses plain net/http rather than an SDK so the wire format is ours and
// works the same against every one of them. A call is one attempt: the
// Temporal activities making it are the one layer that retries.
type OpenAI struct {
	baseURL string
	apiKey  string
	model   string // for requests that name none
	client  *http.Client
	timeout time.Duration
}

// Option configures an OpenAI provider.
type Option func(*OpenAI)

// WithHTTPClient sets the HTTP client (default http.DefaultClient).
// Timeouts come from WithTimeout, not from the client.
func WithHTTPClient(c *http.Client) Option { return func(o *OpenAI) { o.client = c } }

// WithDefaultModel sets the model of requests that name none (default
// DefaultModel).
func WithDefaultModel(m string) Option { return func(o *OpenAI) { o.model = m } }

// WithTimeout bounds each call, a whole streamed answer included
// (default 2 minutes; 0: no bound but the caller's context).
func WithTimeout(d time.Duration) Option { return func(o *OpenAI) { o.timeout = d } }

// NewOpenAI returns a provider for the API at baseURL, the prefix of
// "/chat/completions" and "/embeddings". apiKey may be empty (Ollama).
func NewOpenAI(baseURL, apiKey string, opts ...Option) *OpenAI {
	o := &OpenAI{
		baseURL: strings.TrimRight(baseURL, "/"),
		apiKey:  apiKey,
		model:   DefaultModel,
		client:  http.DefaultClient,
		timeout: 2 * time.Minute,
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// FromEnv returns the provider configured by PARLEY_LLM_BASE_URL and
// PARLEY_LLM_API_KEY, or nil, nil when no base URL is set: running without
// a model is a valid setup, and callers report it where a model is needed.
func FromEnv() (Provider, error) {
	base := strings.TrimSpace(os.Getenv(EnvBaseURL))
	if base == "" {
		return nil, nil
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: %s=%q is not an http(s) URL such as https://api.openai.com/v1", EnvBaseURL, base)
	}
	var opts []Option
	if m := strings.TrimSpace(os.Getenv(EnvModel)); m != "" {
		opts = append(opts, WithDefaultModel(m))
	}
	return NewOpenAI(base, strings.TrimSpace(os.Getenv(EnvAPIKey)), opts...), nil
}

// Chat streams a chat completion, calling onDelta with each piece of text.
func (o *OpenAI) Chat(ctx context.Context, req ChatRequest, onDelta func(string)) (*ChatResponse, error) {
	if req.Model == "" {
		req.Model = o.model
	}
	body, err := json.Marshal(newChatBody(req))
	if err != nil {
		return nil, fmt.Errorf("llm: encoding the request for %s: %w", req.Model, err)
	}
	var resp *ChatResponse
	err = o.post(ctx, "/chat/completions", req.Model, body, func(r *http.Response) (err error) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			// A server that ignores "stream", or reports an error with 200.
			text, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			return providerMessage("expected an event stream, got JSON: " + errorMessage(text))
		}
		resp, err = readStream(r.Body, onDelta)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Embed returns one vector per input, in input order.
func (o *OpenAI) Embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	body, err := json.Marshal(embedBody{Model: model, Input: inputs})
	if err != nil {
		return nil, fmt.Errorf("llm: encoding the request for %s: %w", model, err)
	}
	vectors := make([][]float32, len(inputs))
	err = o.post(ctx, "/embeddings", model, body, func(r *http.Response) error {
		var out embedAnswer
		if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
			return fmt.Errorf("decoding the answer: %w", err)
		}
		if len(out.Data) != len(inputs) {
			return fmt.Errorf("got %d embeddings for %d inputs", len(out.Data), len(inputs))
		}
		// The API does not promise data in input order: place each by index.
		for _, d := range out.Data {
			if d.Index < 0 || d.Index >= len(inputs) || vectors[d.Index] != nil {
				return fmt.Errorf("bad or repeated embedding index %d", d.Index)
			}
			vectors[d.Index] = d.Embedding
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return vectors, nil
}
