package worker

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/store"
)

// maxToolResult bounds what a tool gives back to the model, in bytes.
const maxToolResult = 16 << 10

// CallTool runs a tool the model called: a knowledge search, a POST to a
// declared tool's URL, or a call of a declared tool's block service.
func (a *Activities) CallTool(ctx context.Context, in engine.ToolCallInput) (*engine.ToolResult, error) {
	a.publishTool(ctx, in, events.TypeToolCall, "")
	r, err := a.runTool(ctx, in)
	if err == nil {
		a.publishTool(ctx, in, events.TypeToolResult, r.Content)
	}
	return r, err
}

// runTool runs a tool call: a knowledge search, a URL or a block.
func (a *Activities) runTool(ctx context.Context, in engine.ToolCallInput) (*engine.ToolResult, error) {
	switch {
	case in.Tool == "knowledge_search":
		return a.knowledgeTool(ctx, in)
	case in.URL != "":
		return a.urlTool(ctx, in)
	case in.Block != nil:
		result, err := a.CallBlock(ctx, *in.Block)
		if err != nil {
			return nil, err
		}
		out, err := json.Marshal(result)
		if err != nil {
			return nil, rejected("the answer of tool %s cannot be given to the model as JSON: %v", in.Tool, err)
		}
		return &engine.ToolResult{Content: truncate(string(out))}, nil
	}
	return nil, rejected("the tool %s has nothing to run", in.Tool)
}

// knowledgeTool searches the node's knowledge bases (all of the project's
// when the node names none) for the model's query.
func (a *Activities) knowledgeTool(ctx context.Context, in engine.ToolCallInput) (*engine.ToolResult, error) {
	var args struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal([]byte(in.Arguments), &args); err != nil || strings.TrimSpace(args.Query) == "" {
		return &engine.ToolResult{Content: `The call was not understood: pass {"query": "<what to look for>"}.`}, nil
	}
	stores := in.Stores
	if len(stores) == 0 {
		all, err := a.Store.VectorStores(ctx, in.ProjectID)
		if err != nil {
			return nil, err
		}
		for _, vs := range all {
			stores = append(stores, vs.UUID)
		}
	}
	sources, err := a.search(ctx, in.ProjectID, stores, args.Query, in.TopK, in.MinScore)
	if err != nil {
		return nil, modelError(ctx, err, maxChatRetryDelay)
	}
	if len(sources) == 0 {
		return &engine.ToolResult{Content: "Nothing in the knowledge base matches this query."}, nil
	}
	return &engine.ToolResult{Content: excerpts(sources), Sources: sources}, nil
}

// search asks the knowledge library; with none configured it says so.
func (a *Activities) search(ctx context.Context, projectID int64, stores []string, query string, topK int, minScore float64) ([]store.Source, error) {
	if a.Knowledge == nil {
		return nil, rejected("no knowledge library is configured")
	}
	if topK == 0 {
		topK = knowledge.DefaultTopK
	}
	sources, err := a.Knowledge.Search(ctx, projectID, stores, query, topK, minScore)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, rejected("%v: create it (POST /vector_stores) or fix the node's knowledge list", err)
	}
	return sources, err
}

// excerpts shows retrieved chunks to the model, numbered, with their files.
func excerpts(sources []store.Source) string {
	var b strings.Builder
	for i, s := range sources {
		fmt.Fprintf(&b, "[%d] %s (score %.2f)\n%s\n\n", i+1, s.Filename, s.Score, strings.TrimSpace(s.Text))
	}
	return strings.TrimSpace(b.String())
}

// urlTool POSTs the arguments to a declared tool's URL, through the same
// guard as block calls; the response body is the result. A 4xx, a
// redirect (never followed) or a refused address is final; a 5xx or a
// connection error is retried, with the same Idempotency-Key.
func (a *Activities) urlTool(ctx context.Context, in engine.ToolCallInput) (*engine.ToolResult, error) {
	args := in.Arguments
	if !json.Valid([]byte(args)) {
		return &engine.ToolResult{Content: "The arguments were not valid JSON: " + args}, nil
	}
	if err := a.precheck(in.URL); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.URL, bytes.NewBufferString(args))
	if err != nil {
		return nil, rejected("%s is not a valid URL: %v", in.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Parley-Dialog", in.DialogUUID)
	req.Header.Set("X-Parley-Tool", in.Tool)
	if key := toolCallKey(ctx); key != "" {
		req.Header.Set(dialogs.IdempotencyHeader, key)
	}
	resp, err := a.client(0).Do(req)
	if errors.Is(err, netguard.ErrRefused) {
		return nil, refusedCall(in.URL, err)
	}
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", in.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxToolResult+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", in.URL, err)
	}
	if err := statusError(in.URL, resp, body); err != nil {
		return nil, err
	}
	return &engine.ToolResult{Content: truncate(string(body))}, nil
}

// toolCallKey names one tool call the same on every try of it (after a
// 5xx, or a worker killed mid-call, which the kill loop showed calling a
// tool twice): Temporal keeps the run and the activity id across an
// activity's attempts, and no other call has both. A service that acts
// (a refund, a booking) can do so once per key. Outside an activity, as
// when a test calls CallTool itself, there is no key.
func toolCallKey(ctx context.Context) string {
	if !activity.IsActivity(ctx) {
		return ""
	}
	info := activity.GetInfo(ctx)
	sum := sha256.Sum256([]byte(info.WorkflowExecution.ID + "\x00" + info.WorkflowExecution.RunID + "\x00" + info.ActivityID))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

func truncate(s string) string {
	if len(s) <= maxToolResult {
		return s
	}
	return strings.ToValidUTF8(s[:maxToolResult], "") + "… (cut)"
}
