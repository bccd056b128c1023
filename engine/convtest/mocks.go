package convtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/parleyhq/parley/engine"
)

// services plays the external services of block nodes. It is an
// http.RoundTripper, so block calls never leave the process; what a service
// does after a call (send_message, complete) is queued and played by the
// player, on the workflow's side of the test environment.
type services struct {
	mocks  map[string]Mock
	mu     sync.Mutex
	calls  map[string]int // calls so far, by node
	queued []serviceAction
}

// serviceAction is an update a service sends after a call.
type serviceAction struct {
	name string
	arg  any
}

type blockBody struct {
	Token string `json:"token"`
	Node  string `json:"node"`
}

func (s *services) RoundTrip(req *http.Request) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var body blockBody
	if req.Header.Get("X-Parley-Tool") == "" {
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, err
		}
	}
	key := body.Node
	if tool := req.Header.Get("X-Parley-Tool"); tool != "" { // a tool with a url
		key = tool
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	mock, ok := s.mocks[key]
	if !ok {
		return reply(req, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("the test has no mock for %q; add it under mocks", key)}), nil
	}
	status := http.StatusOK
	if n := len(mock.Statuses); n > 0 {
		status = mock.Statuses[min(s.calls[key], n-1)]
	}
	s.calls[key]++
	if status >= 300 {
		return reply(req, status, map[string]any{"error": "scripted failure"}), nil
	}
	s.queue(body.Token, mock)
	return reply(req, status, mock.Respond), nil
}

// queue remembers what the service does after a successful call. The
// token's node and attempt are resolved by the player from the store.
func (s *services) queue(token string, m Mock) {
	for _, text := range m.Messages {
		s.queued = append(s.queued, serviceAction{name: engine.UpdateBlockMessage, arg: tokenAction{token: token, text: text}})
	}
	if m.Complete != nil {
		s.queued = append(s.queued, serviceAction{name: engine.UpdateBlockComplete, arg: tokenAction{token: token, data: m.Complete}})
	}
}

type tokenAction struct {
	token string
	text  string
	data  any
}

// take returns and forgets the queued actions.
func (s *services) take() []serviceAction {
	s.mu.Lock()
	defer s.mu.Unlock()
	queued := s.queued
	s.queued = nil
	return queued
}

func reply(req *http.Request, status int, body any) *http.Response {
	data, _ := json.Marshal(body)
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)), Request: req, ProtoMajor: 1, ProtoMinor: 1,
	}
}
