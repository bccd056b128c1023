package flowise_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// feedback is Flowise's feedback entity as a test reads it.
type feedback struct {
	ID          string
	ChatflowID  string `json:"chatflowid"`
	ChatID      string
	MessageID   string
	Rating      string
	Content     *string
	CreatedDate string
}

// TestFeedback: a rating created, given again, changed, listed with the
// document's filters, and every refusal.
func TestFeedback(t *testing.T) {
	s := seed(t)
	all := s.list(t, "")
	hello := all[2] // Hello, John!
	key := s.e.A.Bearer()

	var first feedback
	r := s.e.Do("POST", "/api/v1/feedback", key, map[string]any{"chatflowid": s.bot.UUID, "chatId": "s1", "messageId": hello.ID,
		"rating": "THUMBS_UP", "content": "Polite"})
	r.JSON(t, &first)
	if r.Status != http.StatusOK || first.ID == "" || first.ChatflowID != s.bot.UUID || first.ChatID != "s1" || first.MessageID != hello.ID ||
		first.Rating != "THUMBS_UP" || first.Content == nil || *first.Content != "Polite" || first.CreatedDate == "" {
		t.Fatalf("created: %d %s", r.Status, r.Body)
	}
	again := s.rate(t, hello, "THUMBS_DOWN")
	if again.ID != first.ID || again.Rating != "THUMBS_DOWN" || again.Content != nil || again.CreatedDate != first.CreatedDate {
		t.Errorf("rated again: %+v, first %+v", again, first)
	}

	r = s.e.Do("PUT", "/api/v1/feedback/"+first.ID, key, map[string]any{"content": "Too short", "chatId": "s1"})
	if r.Status != http.StatusOK || string(r.Body) != `{"status":"OK"}` {
		t.Errorf("PUT: %d %s", r.Status, r.Body)
	}
	r = s.e.Do("PUT", "/api/v1/feedback/"+first.ID, key, map[string]any{"rating": "THUMBS_UP"})
	if r.Status != http.StatusOK {
		t.Errorf("PUT rating: %d %s", r.Status, r.Body)
	}
	kates := s.rate(t, all[6], "THUMBS_DOWN") // Hello, Kate!

	var listed []feedback
	s.e.Do("GET", "/api/v1/feedback/"+s.bot.UUID, key, nil).JSON(t, &listed)
	if len(listed) != 2 || listed[0].ID != first.ID || listed[0].Rating != "THUMBS_UP" || *listed[0].Content != "Too short" ||
		listed[1].ID != kates.ID || listed[1].ChatID != s.test.UUID {
		t.Errorf("listed: %+v", listed)
	}
	for query, want := range map[string]string{
		"":                           first.ID + " " + kates.ID,
		q("order", "DESC"):           kates.ID + " " + first.ID,
		q("chatId", "s1"):            first.ID,
		q("chatId", s.test.UUID):     kates.ID,
		q("chatId", "s2"):            "",
		q("endDate", "2001-01-01"):   "",
		q("startDate", "2001-01-01"): first.ID + " " + kates.ID,
	} {
		var got []feedback
		r := s.e.Do("GET", "/api/v1/feedback/"+s.bot.UUID+"?"+query, key, nil)
		r.JSON(t, &got)
		ids := ""
		for i, f := range got {
			ids += map[bool]string{true: " ", false: ""}[i > 0] + f.ID
		}
		if ids != want {
			t.Errorf("?%s: %s, want %s", query, ids, want)
		}
	}

	t.Run("refused", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			body   map[string]any
			status int
		}{
			{"no messageId", map[string]any{"rating": "THUMBS_UP"}, http.StatusBadRequest},
			{"a rating not Flowise's", map[string]any{"messageId": hello.ID, "rating": "GOOD"}, http.StatusBadRequest},
			{"no rating", map[string]any{"messageId": hello.ID}, http.StatusBadRequest},
			{"another chat's", map[string]any{"messageId": hello.ID, "chatId": s.test.UUID, "rating": "THUMBS_UP"}, http.StatusBadRequest},
			{"another chatflow's", map[string]any{"messageId": hello.ID, "chatflowid": s.otherBot.UUID, "rating": "THUMBS_UP"}, http.StatusBadRequest},
			{"no such message", map[string]any{"messageId": s.api.UUID + "-99", "rating": "THUMBS_UP"}, http.StatusNotFound},
			{"not a message id", map[string]any{"messageId": "38fb190b", "rating": "THUMBS_UP"}, http.StatusNotFound},
		} {
			t.Run(tt.name, func(t *testing.T) {
				flowiseError(t, s.e.Do("POST", "/api/v1/feedback", key, tt.body), tt.status)
			})
		}
		flowiseError(t, s.e.Do("POST", "/api/v1/feedback", key, "[1]"), http.StatusBadRequest)
		flowiseError(t, s.e.Do("POST", "/api/v1/feedback", s.e.B.Bearer(), map[string]any{"messageId": hello.ID, "rating": "THUMBS_UP"}), http.StatusNotFound)
		flowiseError(t, s.e.Do("PUT", "/api/v1/feedback/"+first.ID, s.e.B.Bearer(), map[string]any{"content": "x"}), http.StatusNotFound)
		flowiseError(t, s.e.Do("PUT", "/api/v1/feedback/d290f1ee-6c54-4b01-90e6-d701748f0851", key, map[string]any{"content": "x"}), http.StatusNotFound)
		flowiseError(t, s.e.Do("PUT", "/api/v1/feedback/"+first.ID, key, map[string]any{"messageId": all[0].ID}), http.StatusBadRequest)
		flowiseError(t, s.e.Do("PUT", "/api/v1/feedback/"+first.ID, key, map[string]any{"rating": "MEH"}), http.StatusBadRequest)
		flowiseError(t, s.e.Do("GET", "/api/v1/feedback/"+s.bot.UUID, s.e.B.Bearer(), nil), http.StatusNotFound)
		flowiseError(t, s.e.Do("GET", "/api/v1/feedback/"+s.bot.UUID+"?order=UP", key, nil), http.StatusBadRequest)
	})
}

// TestNativeFeedback: POST /v1/dialogs/{id}/messages/{seq}/feedback, the
// same feedback Flowise's routes read.
func TestNativeFeedback(t *testing.T) {
	s := seed(t)
	key := s.e.A.Bearer()
	hello := s.list(t, "")[2] // Hello, John!
	seq := strings.TrimPrefix(hello.ID, s.api.UUID+"-")
	path := fmt.Sprintf("/v1/dialogs/%s/messages/%s/feedback", s.api.UUID, seq)
	var got struct {
		ID, Dialog, Rating, Content string
		Seq                         int64
		MessageID                   string `json:"message_id"`
	}
	r := s.e.Do("POST", path, key, map[string]any{"rating": "up", "content": "Nice"})
	r.JSON(t, &got)
	if r.Status != http.StatusCreated || got.ID == "" || got.Dialog != s.api.UUID || fmt.Sprint(got.Seq) != seq || got.MessageID != hello.ID ||
		got.Rating != "up" || got.Content != "Nice" {
		t.Fatalf("created: %d %s", r.Status, r.Body)
	}
	firstID := got.ID
	r = s.e.Do("POST", fmt.Sprintf("/v1/dialogs/%d/messages/%s/feedback", s.api.Number, seq), key, map[string]any{"rating": "down"})
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.ID != firstID || got.Rating != "down" || got.Content != "" {
		t.Errorf("replaced, by the dialog's number: %d %s", r.Status, r.Body)
	}
	var listed []feedback
	s.e.Do("GET", "/api/v1/feedback/"+s.bot.UUID, key, nil).JSON(t, &listed)
	if len(listed) != 1 || listed[0].ID != firstID || listed[0].Rating != "THUMBS_DOWN" || listed[0].MessageID != hello.ID {
		t.Errorf("as Flowise lists it: %+v", listed)
	}
	if msgs := s.list(t, q("feedback", "true", "feedbackType", "THUMBS_DOWN")); contents(msgs) != "John | Hello, John!" {
		t.Errorf("the filters see it: %s", contents(msgs))
	}
	for _, tt := range []struct {
		name, path string
		body       any
		auth       string
		status     int
		code       string
	}{
		{"a rating not Parley's", path, map[string]any{"rating": "THUMBS_UP"}, key, http.StatusBadRequest, "INVALID"},
		{"no rating", path, map[string]any{}, key, http.StatusBadRequest, "INVALID"},
		{"a seq that is no number", fmt.Sprintf("/v1/dialogs/%s/messages/x/feedback", s.api.UUID), map[string]any{"rating": "up"}, key, http.StatusBadRequest, "INVALID"},
		{"no such message", fmt.Sprintf("/v1/dialogs/%s/messages/99/feedback", s.api.UUID), map[string]any{"rating": "up"}, key, http.StatusNotFound, "NOT_FOUND"},
		{"another project's dialog", path, map[string]any{"rating": "up"}, s.e.B.Bearer(), http.StatusNotFound, "NOT_FOUND"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := s.e.Do("POST", tt.path, tt.auth, tt.body)
			var body struct{ Error struct{ Code string } }
			r.JSON(t, &body)
			if r.Status != tt.status || body.Error.Code != tt.code {
				t.Errorf("%d %s, want %d %s", r.Status, r.Body, tt.status, tt.code)
			}
		})
	}
}
