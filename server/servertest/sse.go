package servertest

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// SSE is one server-sent event, or a comment when Comment is set.
type SSE struct {
	ID, Event, Data, Comment string
}

// Stream opens a server-sent event stream at path over real HTTP, with
// auth as its Authorization header, resuming after lastEventID when it is
// set; the test fails unless it answers 200 text/event-stream. The stream
// ends when the returned cancel is called or the test ends; the channel
// is closed then.
func (e *Env) Stream(path, auth, lastEventID string) (<-chan SSE, context.CancelFunc) {
	e.T.Helper()
	h := http.Header{"Authorization": {auth}}
	if lastEventID != "" {
		h.Set("Last-Event-ID", lastEventID)
	}
	return e.StreamWith(path, h)
}

// StreamWith is Stream with the request's headers given.
func (e *Env) StreamWith(path string, header http.Header) (<-chan SSE, context.CancelFunc) {
	t := e.T
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan SSE, 1000)
	go readSSE(resp, out)
	return out, cancel
}

// readSSE sends the events of a response to out until it ends.
func readSSE(resp *http.Response, out chan<- SSE) {
	defer close(out)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	var cur SSE
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != (SSE{}) {
				out <- cur
			}
			cur = SSE{}
		case strings.HasPrefix(line, ":"):
			out <- SSE{Comment: strings.TrimSpace(line[1:])}
		case strings.HasPrefix(line, "id: "):
			cur.ID = line[len("id: "):]
		case strings.HasPrefix(line, "event: "):
			cur.Event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			cur.Data = line[len("data: "):]
		}
	}
}

// NextEvent returns the next event (not comment) of a stream; the test
// fails if none comes within 20 s or the stream ends.
func NextEvent(t *testing.T, ch <-chan SSE) SSE {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Comment == "" {
				return ev
			}
		case <-timeout:
			t.Fatal("no event within 20s")
		}
	}
}
