package convtest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
)

// Recording is a dialog as it happened, for Replay: its messages in order.
type Recording struct {
	ID       string
	Messages []store.Message
}

// Outcome is what replaying one recording against a bot file found.
type Outcome struct {
	ID       string
	Turns    int // the user's messages in the recording
	Replayed int // how many of them were replayed
	// Stopped says why the replay ended before the recording did (an
	// operator joined, the user sent a file), "" when it did not.
	Stopped string
	// Difference is the first turn the bot file answers otherwise, nil
	// when it answers every replayed turn as the recording did.
	Difference *Difference
}

// Difference is a turn the bot file answers otherwise than the recording.
type Difference struct {
	Turn     int    // 0: what the bot said first; n: after the user's n-th message
	UserText string // the user's message of the turn, "" for turn 0
	Message  string // what differs
}

// Replay plays each recording's user messages, at the times they came,
// against the bot file source in test dialogs, with the model answering
// what it answered then (in order), and reports per recording the first
// turn where the bot says something else. A recording is replayed up to
// where an operator joined or the user sent a file, which a script cannot
// reproduce. Block services are not called: a bot whose answers depend on
// one differs from the block on.
func Replay(ctx context.Context, source string, recs []Recording) ([]Outcome, error) {
	suite := &Suite{Path: "the draft", Sources: []string{source}}
	outcomes := make([]Outcome, len(recs))
	for i, r := range recs {
		c, out := replayCase(r)
		suite.Tests = append(suite.Tests, c)
		outcomes[i] = out
	}
	if len(recs) == 0 {
		return outcomes, nil
	}
	res, err := Run(ctx, suite)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Outcome{}
	for i := range outcomes {
		byID[outcomes[i].ID] = &outcomes[i]
	}
	for _, f := range res.Failures { // in step order within each test
		out := byID[f.Test]
		if out == nil || out.Difference != nil {
			continue
		}
		out.Difference = &Difference{Turn: f.Line, UserText: userTextOf(recs, f.Test, f.Line), Message: f.Message}
	}
	return outcomes, nil
}

// replayCase turns a recording into a test: a step per user message with
// what the bot said after it, the model's recorded answers as its replies.
func replayCase(r Recording) (Case, Outcome) {
	out := Outcome{ID: r.ID}
	c := Case{Name: r.ID, LLM: []Reply{}}
	first := &Step{Expect: &Expect{Says: []string{}}}
	c.Steps = append(c.Steps, *first)
	current := &c.Steps[0]
	var last time.Time
	for _, m := range r.Messages {
		switch {
		case m.Role == store.MessageUser:
			out.Turns++
			if out.Stopped != "" {
				continue
			}
			if len(m.Files) > 0 || strings.TrimSpace(m.Text) == "" {
				out.Stopped = fmt.Sprintf("the user sent a file at turn %d", out.Turns)
				continue
			}
			text := m.Text
			step := Step{User: &text, Expect: &Expect{Says: []string{}}, Line: out.Turns}
			if !last.IsZero() && m.CreatedAt.After(last) {
				step.after = m.CreatedAt.Sub(last)
			}
			c.Steps = append(c.Steps, step)
			current = &c.Steps[len(c.Steps)-1]
			out.Replayed++
		case out.Stopped != "":
		case m.Role == store.MessageOperator:
			out.Stopped = fmt.Sprintf("an operator joined at turn %d", out.Turns)
		case m.Role == store.MessageAssistant:
			current.Expect.Says = append(current.Expect.Says, literal(m.Text))
			if m.Usage != nil { // written by the model
				c.LLM = append(c.LLM, Reply{Text: m.Text})
			}
		}
		if !m.CreatedAt.IsZero() {
			last = m.CreatedAt
		}
	}
	if len(c.LLM) == 0 {
		c.LLM = nil // the model wrote nothing then: replay without one
	}
	if out.Stopped != "" && len(c.Steps) > 0 {
		// What the bot said after the last replayed turn may include what
		// it said to the operator's dialog: check only up to that turn.
		c.Steps[len(c.Steps)-1].Expect = nil
	}
	return c, out
}

// literal is a recorded text as an expectation: itself, unless it reads
// as a /regular expression/, which it is then made to match exactly.
func literal(text string) string {
	if len(text) > 1 && strings.HasPrefix(text, "/") && strings.HasSuffix(text, "/") {
		return "/^" + regexp.QuoteMeta(text) + "$/"
	}
	return text
}

// userTextOf is the user's message of a recording's turn.
func userTextOf(recs []Recording, id string, turn int) string {
	for _, r := range recs {
		if r.ID != id {
			continue
		}
		n := 0
		for _, m := range r.Messages {
			if m.Role == store.MessageUser {
				n++
				if n == turn {
					return m.Text
				}
			}
		}
	}
	return ""
}
