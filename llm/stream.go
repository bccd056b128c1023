package llm

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// errInterrupted marks a stream cut before its end: the connection broke,
// so the same request may well succeed if sent again.
var errInterrupted = errors.New("stream interrupted")

// providerMessage is an error the provider reported in the stream itself
// (OpenRouter does so when an upstream model fails mid-answer).
type providerMessage string

func (m providerMessage) Error() string { return string(m) }

// chunk is one server-sent event of a streamed chat completion.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content   string          `json:"content"`
			ToolCalls []toolCallDelta `json:"tool_calls"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage          `json:"usage"`
	Error json.RawMessage `json:"error"`
}

type toolCallDelta struct {
	Index    int          `json:"index"`
	ID       string       `json:"id"`
	Function wireFunction `json:"function"`
}

// readStream reads SSE "data:" lines up to "data: [DONE]", passing text
// deltas to onDelta and assembling the answer.
func readStream(r io.Reader, onDelta func(string)) (*ChatResponse, error) {
	// bufio.Reader rather than Scanner: a chunk holding a whole tool call
	// can outgrow any fixed line limit.
	br := bufio.NewReader(r)
	resp := &ChatResponse{}
	var text strings.Builder
	var calls toolCalls
	for {
		line, readErr := br.ReadString('\n')
		// Other lines are blank separators, "event:" fields or ": comments"
		// (OpenRouter's keep-alives).
		if data, ok := strings.CutPrefix(strings.TrimSpace(line), "data:"); ok {
			data = strings.TrimSpace(data)
			if data == "[DONE]" {
				break
			}
			var c chunk
			if err := json.Unmarshal([]byte(data), &c); err != nil {
				return nil, fmt.Errorf("decoding stream chunk %.200q: %w", data, err)
			}
			if len(c.Error) > 0 && string(c.Error) != "null" {
				return nil, providerMessage(errorMessage([]byte(data)))
			}
			for _, ch := range c.Choices {
				if d := ch.Delta.Content; d != "" {
					text.WriteString(d)
					if onDelta != nil {
						onDelta(d)
					}
				}
				for _, d := range ch.Delta.ToolCalls {
					calls.add(d)
				}
				if ch.FinishReason != "" {
					resp.FinishReason = ch.FinishReason
				}
			}
			if c.Usage != nil {
				resp.Usage = *c.Usage
			}
		}
		if readErr == io.EOF {
			// Some servers omit [DONE]; a finish reason shows the answer
			// is whole anyway.
			if resp.FinishReason == "" {
				return nil, fmt.Errorf("%w: ended before [DONE]", errInterrupted)
			}
			break
		}
		if readErr != nil {
			return nil, fmt.Errorf("%w: %w", errInterrupted, readErr)
		}
	}
	resp.Content = text.String()
	for i := range calls.list {
		// Tools without parameters may come with no arguments at all;
		// "{}" spares every caller a special case before json.Unmarshal.
		if strings.TrimSpace(calls.list[i].Arguments) == "" {
			calls.list[i].Arguments = "{}"
		}
	}
	resp.ToolCalls = calls.list
	return resp, nil
}

// toolCalls assembles streamed tool calls: the first delta of a call
// carries its id and name, the next ones (same index) more argument text.
type toolCalls struct {
	list    []ToolCall
	byIndex map[int]int // delta index → position in list
}

func (t *toolCalls) add(d toolCallDelta) {
	i, ok := t.byIndex[d.Index]
	// Some servers (older Ollama) leave every index at 0 and send each
	// call whole with its own id: a new id starts a new call.
	if !ok || (d.ID != "" && t.list[i].ID != "" && d.ID != t.list[i].ID) {
		if t.byIndex == nil {
			t.byIndex = map[int]int{}
		}
		t.list = append(t.list, ToolCall{})
		i = len(t.list) - 1
		t.byIndex[d.Index] = i
	}
	c := &t.list[i]
	// Set, not appended: some servers repeat id and name in every delta.
	if d.ID != "" {
		c.ID = d.ID
	}
	if d.Function.Name != "" {
		c.Name = d.Function.Name
	}
	c.Arguments += d.Function.Arguments
}
