// Package llmtest is a fake OpenAI-compatible server for tests, on
// loopback: scripted chat replies streamed in the real wire format (SSE
// chunks, a usage chunk, [DONE]), scripted failures, and deterministic
// embeddings. Point llm.NewOpenAI at URL(). Usage counts words:
// prompt_tokens those of all messages, completion_tokens those of the reply.
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake OpenAI-compatible API. Its methods are safe for
// concurrent use.
type Server struct {
	srv      *httptest.Server
	mu       sync.Mutex
	script   []step
	delay    time.Duration
	requests []Request
	calls    int   // numbers tool call ids
	always   *step // answers when the script is empty (ReplyAlways)
	rules    []rule
	answer   func(Request) Answer // answers every chat request when set (AnswerBy)
}

// Answer is what AnswerBy's function makes of a request: a text, or a
// call of Tool with Args (JSON).
type Answer struct {
	Text, Tool, Args string
}

// AnswerBy answers every chat request with what f makes of it, ahead of
// the script: many dialogs at once (a load or a fault test) each get the
// answer their own conversation calls for, however they interleave.
func (s *Server) AnswerBy(f func(Request) Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = f
}

// rule answers every request whose system message contains a text.
type rule struct {
	contains string
	st       step
}

// ReplyWhenSystem answers text, without touching the script, to every
// request whose first system message contains the given text: requests
// Parley makes beside the scripted conversation (a dialog's title) get
// their own answer, however they interleave.
func (s *Server) ReplyWhenSystem(contains, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rule{contains: contains, st: step{text: text}})
}

// ruleFor is the answer of the first rule matching req.
func (s *Server) ruleFor(req Request) (step, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answer != nil {
		a := s.answer(req)
		return step{text: a.Text, tool: a.Tool, args: a.Args}, true
	}
	if len(req.Messages) == 0 || req.Messages[0].Role != "system" {
		return step{}, false
	}
	for _, r := range s.rules {
		if strings.Contains(req.Messages[0].Content, r.contains) {
			return r.st, true
		}
	}
	return step{}, false
}

// ReplyAlways answers text whenever nothing else is scripted (benchmarks).
func (s *Server) ReplyAlways(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = &step{text: text}
}

// step is one scripted answer.
type step struct {
	status     int // non-zero: fail with this status and message
	message    string
	retryAfter int    // seconds, sent as Retry-After when > 0
	text       string // the reply text, or
	tool       string // the name of a tool to call with args
	args       string
	cut        bool // end the stream after the text, without finish_reason or [DONE]
}

// New starts a server, closed when the test ends.
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Close stops a server made by Start.
func (s *Server) Close() { s.srv.Close() }

// Start starts a server outside a test (for `parley test`); Close it.
func Start() *Server {
	s := &Server{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", s.chat)
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "llmtest: no route "+r.Method+" "+r.URL.Path)
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// URL is the base URL to give llm.NewOpenAI, ending in /v1.
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Reply queues a text answer, streamed a word per chunk.
func (s *Server) Reply(text string) { s.push(step{text: text}) }

// ReplyCut queues an answer whose stream breaks after text: the words
// arrive, then the stream ends without a finish reason or [DONE], as a
// dropped connection does.
func (s *Server) ReplyCut(text string) { s.push(step{text: text, cut: true}) }

// ReplyToolCall queues an answer calling tool name; the arguments (JSON)
// are streamed in several chunks, as real models do.
func (s *Server) ReplyToolCall(name, argumentsJSON string) {
	s.push(step{tool: name, args: argumentsJSON})
}

// Fail queues a failure: status with an OpenAI-style error body carrying
// message. Failures answer embeddings requests too.
func (s *Server) Fail(status int, message string) { s.push(step{status: status, message: message}) }

// FailWithRetryAfter queues a failure with a Retry-After header.
func (s *Server) FailWithRetryAfter(status, seconds int) {
	s.push(step{status: status, retryAfter: seconds,
		message: fmt.Sprintf("llmtest: rate limited, retry after %ds", seconds)})
}

// Delay makes every next answer wait d first (for benchmarks and
// timeouts). A client giving up ends the wait.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) push(st step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, st)
}

// next pops the head of the script; failuresOnly leaves replies queued
// (embeddings are not scripted, but can be made to fail).
func (s *Server) next(failuresOnly bool) (step, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 && s.always != nil && !failuresOnly {
		return *s.always, true
	}
	if len(s.script) == 0 || (failuresOnly && s.script[0].status == 0) {
		return step{}, false
	}
	st := s.script[0]
	s.script = s.script[1:]
	return st, true
}

// receive records the request and waits the delay; false when the answer
// is already written or the client went away.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (Request, bool) {
	var req Request
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &req.Raw)
	}
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "llmtest: bad body: "+err.Error())
		return req, false
	}
	req.Path, req.Authorization, req.Time = r.URL.Path, r.Header.Get("Authorization"), time.Now()
	s.mu.Lock()
	s.requests = append(s.requests, req)
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return req, false
		}
	}
	return req, true
}

func (s *Server) fail(w http.ResponseWriter, st step) {
	if st.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(st.retryAfter))
	}
	writeError(w, st.status, st.message)
}

// writeError answers like OpenAI: {"error":{"message":...,"type":...}}.
func writeError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": message, "type": "llmtest_error", "code": status}})
}

// words counts whitespace-separated words: the fake's token count.
func words(texts ...string) int {
	n := 0
	for _, t := range texts {
		n += len(strings.Fields(t))
	}
	return n
}
