package convtest

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/store"
)

// Transcript is a dialog as it is stored, for CaseFrom.
type Transcript struct {
	Messages  []store.Message // in order
	Status    string          // the dialog's status now
	Node      string          // the node it is at now
	CreatedAt time.Time
}

// Recorded is a test written from a transcript.
type Recorded struct {
	// YAML is the test as one list item at column 0: "- name: ...".
	YAML []byte
	// Stopped says why the test ends before the transcript does (an
	// operator joined, the user sent a file), "" when it does not.
	Stopped string
}

// userAfterFrom is how far a user's message may lag behind the time it came
// in the dialog before its step says `after`: sooner answers are played
// sooner, which leaves timers that did not fire unfired.
const userAfterFrom = time.Minute

// timerGap is the pause before a bot message, not written by the model,
// that makes it the bot's own step (a reminder, a timeout, a wait): it
// came later than the turn before it could have.
const timerGap = 5 * time.Second

// recStep is a step being written: its time in the dialog and what
// happened.
type recStep struct {
	at   time.Time
	user *string
	says []string
}

// CaseFrom writes the test named name that plays a transcript: a step per
// user message (buttons pressed are messages too) expecting what the bot
// said after it; a step for what the bot said first and for each message
// a timer sent, after the time that passed; the model's answers, in
// order, under `llm`; and on the last step the dialog's status and the node
// it waits at. It plays up to where an operator joined or the user sent a
// file, which a script cannot.
func CaseFrom(name string, t Transcript) (*Recorded, error) {
	start := t.CreatedAt
	if start.IsZero() && len(t.Messages) > 0 {
		start = t.Messages[0].CreatedAt
	}
	steps := []*recStep{{at: start}}
	var llm []string
	stopped := ""
	last := start
	for _, m := range t.Messages {
		switch {
		case m.Role == store.MessageUser:
			if len(m.Files) > 0 || strings.TrimSpace(m.Text) == "" {
				stopped = "the user sent a file"
				break
			}
			text := m.Text
			steps = append(steps, &recStep{at: m.CreatedAt, user: &text})
		case m.Role == store.MessageOperator:
			stopped = "an operator joined"
		case m.Role == store.MessageAssistant:
			if m.Usage == nil && m.CreatedAt.Sub(last) >= timerGap {
				steps = append(steps, &recStep{at: m.CreatedAt})
			}
			cur := steps[len(steps)-1]
			cur.says = append(cur.says, literal(m.Text))
			if m.Usage != nil {
				llm = append(llm, m.Text)
			}
		}
		if stopped != "" {
			break
		}
		if !m.CreatedAt.IsZero() {
			last = m.CreatedAt
		}
	}
	item := caseNode(name, steps, start, llm)
	if stopped == "" {
		expectEnd(item, steps[len(steps)-1], t)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{item}}); err != nil {
		return nil, fmt.Errorf("writing the test: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("writing the test: %w", err)
	}
	return &Recorded{YAML: b.Bytes(), Stopped: stopped}, nil
}

// caseNode is the test as YAML. Each step is played a second after the one
// before plus its `after`: a timer's step comes no sooner than the timer
// fired in the dialog, a user's no later than the message came.
func caseNode(name string, steps []*recStep, start time.Time, llm []string) *yaml.Node {
	item := mapping("name", scalar(name))
	if len(llm) > 0 {
		replies := &yaml.Node{Kind: yaml.SequenceNode}
		for _, text := range llm {
			replies.Content = append(replies.Content, scalar(text))
		}
		item.Content = append(item.Content, scalar("llm"), replies)
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	played := time.Second // when the test plays the first step
	for i, st := range steps {
		node := mapping()
		if i > 0 {
			want := st.at.Sub(start) - played - time.Second
			after := want.Truncate(time.Second)
			if st.user == nil && after < want {
				after += time.Second // a timer's step waits for the timer
			}
			if after > 0 && (st.user == nil || after >= userAfterFrom) {
				node.Content = append(node.Content, scalar("after"), scalar(formatDuration(after)))
				played += after
			}
			played += time.Second
		}
		if st.user != nil {
			node.Content = append(node.Content, scalar("user"), scalar(*st.user))
		}
		says := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, text := range st.says {
			says.Content = append(says.Content, scalar(text))
		}
		node.Content = append(node.Content, scalar("expect"), mapping("says", says))
		list.Content = append(list.Content, node)
	}
	item.Content = append(item.Content, scalar("steps"), list)
	return item
}

// expectEnd adds the dialog's status, and the node it waits at while it
// has not ended, to the last step's expectations.
func expectEnd(item *yaml.Node, last *recStep, t Transcript) {
	if t.Status == "" {
		return
	}
	steps := item.Content[len(item.Content)-1]
	step := steps.Content[len(steps.Content)-1]
	expect := step.Content[len(step.Content)-1]
	if (t.Status == store.StatusInProcess || t.Status == store.StatusOperator) && t.Node != "" {
		expect.Content = append(expect.Content, scalar("waiting"), scalar(t.Node))
	}
	expect.Content = append(expect.Content, scalar("status"), scalar(t.Status))
}

// scalar is a string; the words YAML 1.1 reads as booleans are quoted, so
// every YAML parser reads them as text.
func scalar(v string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	switch strings.ToLower(v) {
	case "y", "n", "yes", "no", "on", "off":
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return n
}

// formatDuration writes d, whole seconds, as `after` reads it: 1h30m, 45s.
func formatDuration(d time.Duration) string {
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	return b.String()
}
