package llm

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		header, value string
		want          time.Duration
	}{
		{"Retry-After", "7", 7 * time.Second},
		{"Retry-After", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"Retry-After", now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Retry-After", "soon", 0},
		{"Retry-After-Ms", "250", 250 * time.Millisecond},
		{"X-Other", "5", 0},
	} {
		h := http.Header{}
		h.Set(c.header, c.value)
		if got := retryAfter(h, now); got != c.want {
			t.Errorf("%s: %s = %v, want %v", c.header, c.value, got, c.want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}`: "Incorrect API key",
		`{"error":"model \"x\" not found"}`:                                        `model "x" not found`,
		"<html>\n  Bad   gateway\n</html>":                                         "<html> Bad gateway </html>",
		// A provider's message is cut as a page is: one that echoes the
		// request must not carry it whole into the worker's log.
		`{"error":{"message":"` + strings.Repeat("echo ", 100) + `"}}`: strings.TrimSpace(strings.Repeat("echo ", 40)) + " …",
	} {
		if got := errorMessage([]byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

// Servers differ from OpenAI in small ways; the reader copes with them.
func TestReadStreamVariants(t *testing.T) {
	stream := strings.Join([]string{
		": OPENROUTER PROCESSING",
		"",
		`data:{"choices":[{"index":0,"delta":{"content":"a","tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{}"}}]}}]}`,
		"",
		// Older Ollama: every call at index 0, each whole with its own id.
		`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c2","function":{"name":"g"}}]},"finish_reason":"tool_calls"}]}`,
		"",
		`data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}`,
		"", // no [DONE]: the finish reason shows the answer is whole
	}, "\r\n")
	resp, err := readStream(strings.NewReader(stream), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &ChatResponse{Content: "a", FinishReason: "tool_calls", Usage: Usage{3, 4},
		ToolCalls: []ToolCall{{ID: "c1", Name: "f", Arguments: "{}"}, {ID: "c2", Name: "g", Arguments: "{}"}}}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("got %+v\nwant %+v", resp, want)
	}

	_, err = readStream(strings.NewReader(`data: {"error":{"message":"upstream failed"}}`+"\n\n"), nil)
	if err == nil || err.Error() != "upstream failed" {
		t.Errorf("in-stream error: %v", err)
	}
}
