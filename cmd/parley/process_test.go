package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary act as the parley command, so process
// tests can run `parley dev`, `serve` and `worker` as real child processes.
func TestMain(m *testing.M) {
	if os.Getenv("PARLEY_TEST_AS_PARLEY") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const crashBot = `bot: crash
variables:
  name: { type: string }
nodes:
  ask_name:
    kind: question
    text: Name?
    save: name
    next: ask_colour
  ask_colour:
    kind: question
    text: "Colour, {{ name }}?"
    timeout: 4s
    on_timeout: late
    next: done
  late:
    kind: message
    text: "Too slow, {{ name }}."
    next: done
  done:
    kind: end
    text: "Bye {{ name }}."
`

const crashKey = "sk-crash-test-key-0123456789"

// apiProcess is a child process serving the HTTP API: `parley dev` or `parley serve`.
type apiProcess struct {
	url  string
	key  string // API key; crashKey when empty
	logs *bytes.Buffer
}

// rawYAML is a request body sent as it is, as application/yaml.
type rawYAML string

func httpGet(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (p *apiProcess) call(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	if y, ok := body.(rawYAML); ok {
		data = []byte(y)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, p.url+path, bytes.NewReader(data))
	key := p.key
	if key == "" {
		key = crashKey
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, p.logs)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v %v", method, path, resp.StatusCode, out, err)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func said(turn map[string]any) string {
	var texts []string
	for _, m := range turn["messages"].([]any) {
		texts = append(texts, m.(map[string]any)["text"].(string))
	}
	return strings.Join(texts, " | ")
}

func transcript(view map[string]any) string {
	var lines []string
	seen := map[string]bool{}
	for _, m := range view["messages"].([]any) {
		msg := m.(map[string]any)
		id := msg["id"].(string)
		if seen[id] {
			lines = append(lines, "DUPLICATE "+id)
		}
		seen[id] = true
		lines = append(lines, fmt.Sprintf("%s:%s", msg["role"], msg["text"]))
	}
	return strings.Join(lines, " | ")
}
