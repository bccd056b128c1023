package flowise_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/store"
)

const (
	john = "Your name? | John | Hello, John! | Anything else?"
	kate = "Your name? | Kate | Hello, Kate! | Anything else?"
)

// TestListFilters: every filter of the document on the seeded chats.
func TestListFilters(t *testing.T) {
	s := seed(t)
	all := s.list(t, "")
	if got := contents(all); got != john+" | "+kate {
		t.Fatalf("all: %s", got)
	}
	firstKate, lastJohn := all[4].CreatedDate, all[3].CreatedDate
	for _, tt := range []struct{ name, query, want string }{
		{"INTERNAL: the editor's test chats", q("chatType", "INTERNAL"), kate},
		{"EXTERNAL", q("chatType", "EXTERNAL"), john},
		{"both, as Flowise's UI sends them", q("chatType", `["EXTERNAL","INTERNAL"]`), john + " | " + kate},
		{"DESC", q("order", "DESC", "chatType", "EXTERNAL"), "Anything else? | Hello, John! | John | Your name?"},
		{"ASC", q("order", "ASC", "chatType", "EXTERNAL"), john},
		{"chatId, the client's id", q("chatId", "s1"), john},
		{"chatId, the dialog's UUID", q("chatId", s.test.UUID), kate},
		{"an unknown chatId", q("chatId", "s2"), ""},
		{"sessionId is the chat's", q("sessionId", "s1"), john},
		{"chatId and sessionId of two chats", q("chatId", "s1", "sessionId", s.test.UUID), ""},
		{"memoryType: Parley sets none", q("memoryType", "Buffer Memory"), ""},
		{"startDate", q("startDate", firstKate), kate},
		{"endDate", q("endDate", lastJohn), john},
		{"a day long ago", q("endDate", "2001-01-01"), ""},
		{"messageId", q("messageId", all[2].ID), "Hello, John!"},
		{"feedbackType alone is not a filter on GET", q("feedbackType", "THUMBS_UP"), john + " | " + kate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := contents(s.list(t, tt.query)); got != tt.want {
				t.Errorf("?%s:\n got %s\nwant %s", tt.query, got, tt.want)
			}
		})
	}
	t.Run("feedback", func(t *testing.T) {
		s.rate(t, all[2], "THUMBS_UP")   // Hello, John!
		s.rate(t, all[7], "THUMBS_DOWN") // Kate's Anything else?
		for query, want := range map[string]string{
			q("feedback", "true"):                                                      "John | Hello, John! | Anything else?",
			q("feedback", "true", "feedbackType", "THUMBS_UP"):                         "John | Hello, John!",
			q("feedback", "true", "feedbackType", "THUMBS_DOWN"):                       "Anything else?",
			q("feedback", "true", "feedbackType", `["THUMBS_UP","THUMBS_DOWN"]`):       "John | Hello, John! | Anything else?",
			q("feedback", "false"):                                                     john + " | " + kate,
			q("feedback", "true", "feedbackType", "THUMBS_UP", "chatType", "INTERNAL"): "",
		} {
			if got := contents(s.list(t, query)); got != want {
				t.Errorf("?%s:\n got %s\nwant %s", query, got, want)
			}
		}
	})
}

// rate gives m feedback through Flowise's route.
func (s seeded) rate(t *testing.T, m message, rating string) feedback {
	t.Helper()
	r := s.e.Do("POST", "/api/v1/feedback", s.e.A.Bearer(), map[string]any{"chatflowid": m.ChatflowID, "chatId": m.ChatID, "messageId": m.ID, "rating": rating})
	if r.Status != http.StatusOK {
		t.Fatalf("rating %s: %d %s", m.ID, r.Status, r.Body)
	}
	var f feedback
	r.JSON(t, &f)
	return f
}

// TestListShape: the messages of an API chat and of a test chat, field by
// field, and the same keys, types and nulls as Flowise 3.1.4's recorded
// answer.
func TestListShape(t *testing.T) {
	s := seed(t)
	all := s.list(t, "")
	john, kate := all[1], all[5]
	if john.Role != "userMessage" || all[2].Role != "apiMessage" || john.ChatflowID != s.bot.UUID || john.ChatType != "EXTERNAL" ||
		john.ChatID != "s1" || john.SessionID != "s1" || john.LeadEmail == nil || *john.LeadEmail != "john@example.com" ||
		john.ID != s.api.UUID+"-2" {
		t.Errorf("John's message: %+v", john)
	}
	if kate.ChatType != "INTERNAL" || kate.ChatID != s.test.UUID || kate.SessionID != s.test.UUID || kate.LeadEmail != nil {
		t.Errorf("Kate's message: %+v", kate)
	}
	if r := all[2].AgentReasoning; len(r) != 1 || r[0]["nodeId"] != "hello" || r[0]["agentName"] != s.bot.Name {
		t.Errorf("agentReasoning of Hello, John!: %v", r)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(john.CreatedDate) {
		t.Errorf("createdDate %q is not JavaScript's toISOString", john.CreatedDate)
	}

	var recorded []map[string]any
	data, err := os.ReadFile("testdata/flowise-3.1.4-chatmessage.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recorded); err != nil {
		t.Fatal(err)
	}
	r := s.e.Do("GET", "/chatmessage/"+s.bot.UUID+"?"+q("chatType", "INTERNAL"), s.e.A.Bearer(), nil)
	var ours []map[string]any
	r.JSON(t, &ours)
	// Kate's chat is Flowise's: a user message, then the bot's. Parley
	// fills agentReasoning where Flowise's Direct Reply had none, and has
	// no execution records: executionId is null, as Flowise's chatflows
	// (not agentflows) answer it (the column is nullable).
	filled := map[string]bool{"agentReasoning": true}
	nullable := map[string]bool{"executionId": true}
	sameShape(t, "userMessage", ours[1], recorded[0], nil, nullable)
	sameShape(t, "apiMessage", ours[2], recorded[1], filled, nullable)
	if !bytes.Equal(keyOrder(t, r.Body), keyOrder(t, data)) {
		t.Errorf("keys in another order than Flowise's:\n got %s\nwant %s", keyOrder(t, r.Body), keyOrder(t, data))
	}
}

// sameShape checks that got has want's keys and no other, each of the
// same JSON type, null where want's is null but for those filled, and
// of want's type but where nullable allows null.
func sameShape(t *testing.T, what string, got, want map[string]any, filled, nullable map[string]bool) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("%s: no %s", what, k)
		case w == nil && g != nil && !filled[k]:
			t.Errorf("%s: %s = %v, want null as Flowise's", what, k, g)
		case w != nil && jsonType(g) != jsonType(w) && !(g == nil && nullable[k]):
			t.Errorf("%s: %s is a %s, Flowise's a %s", what, k, jsonType(g), jsonType(w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s, which Flowise has not", what, k)
		}
	}
	if got["role"] != want["role"] || got["chatType"] == nil {
		t.Errorf("%s: role %v, want %v", what, got["role"], want["role"])
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// keyOrder is the keys of a JSON array's first object, in order.
func keyOrder(t *testing.T, data []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	var keys []byte
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
			if depth == 1 && v == '}' {
				return keys
			}
		case string:
			if depth == 2 {
				keys = append(keys, v+" "...)
				// Skip the value.
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestListErrors: bad parameters are 400, an unknown chatflow or another
// project's 404, all in Flowise's shape; no credentials 401.
func TestListErrors(t *testing.T) {
	s := seed(t)
	base := "/api/v1/chatmessage/" + s.bot.UUID + "?"
	for _, query := range []string{q("order", "UP"), q("chatType", "PUBLIC"), q("startDate", "yesterday"), q("endDate", "24.08.2024"),
		q("feedback", "yes"), q("feedback", "true", "feedbackType", "MEH")} {
		flowiseError(t, s.e.Do("GET", base+query, s.e.A.Bearer(), nil), http.StatusBadRequest)
	}
	flowiseError(t, s.e.Do("DELETE", base+q("hardDelete", "please"), s.e.A.Bearer(), nil), http.StatusBadRequest)
	for _, path := range []string{"/api/v1/chatmessage/" + s.bot.UUID, "/chatmessage/" + s.bot.UUID} {
		flowiseError(t, s.e.Do("GET", path, s.e.B.Bearer(), nil), http.StatusNotFound)
		flowiseError(t, s.e.Do("DELETE", path, s.e.B.Bearer(), nil), http.StatusNotFound)
		flowiseError(t, s.e.Do("GET", path, "", nil), http.StatusUnauthorized)
	}
	flowiseError(t, s.e.Do("GET", "/api/v1/chatmessage/d290f1ee-6c54-4b01-90e6-d701748f0852", s.e.A.Bearer(), nil), http.StatusNotFound)
	flowiseError(t, s.e.Do("GET", "/chatmessage/nobody", s.e.A.Bearer(), nil), http.StatusNotFound)
	t.Run("a slug names the bot too", func(t *testing.T) {
		if r := s.e.Do("GET", "/chatmessage/greeter", s.e.A.Bearer(), nil); r.Status != http.StatusOK {
			t.Errorf("by slug: %d %s", r.Status, r.Body)
		}
	})
	t.Run("a JWT", func(t *testing.T) {
		var login struct {
			AccessToken string `json:"access_token"`
		}
		s.e.Do("POST", "/api/auth/login", "", map[string]any{"email": s.e.A.Email, "password": s.e.A.Password}).JSON(t, &login)
		if got := s.e.Do("GET", "/chatmessage/"+s.bot.UUID, "Bearer "+login.AccessToken, nil); got.Status != http.StatusOK {
			t.Errorf("with a JWT: %d %s", got.Status, got.Body)
		}
	})
}

// TestDelete: deletes by feedback, by chat type with hardDelete (the
// files go too), by chat; nothing matching is 404; a chat whose messages
// are deleted goes on.
func TestDelete(t *testing.T) {
	s := seed(t)
	all := s.list(t, "")
	s.rate(t, all[7], "THUMBS_DOWN") // Kate's Anything else?
	path := "/api/v1/chatmessage/" + s.bot.UUID + "?"
	del := func(t *testing.T, path string, want int) {
		t.Helper()
		r := s.e.Do("DELETE", path, s.e.A.Bearer(), nil)
		if r.Status != want || (want == http.StatusOK && len(r.Body) != 0) {
			t.Fatalf("DELETE %s: %d %q", path, r.Status, r.Body)
		}
	}
	del(t, path+q("feedbackType", "THUMBS_UP"), http.StatusNotFound)
	del(t, path+q("feedbackType", "THUMBS_DOWN"), http.StatusOK)
	if got := contents(s.list(t, "")); got != john+" | Your name? | Kate | Hello, Kate!" {
		t.Errorf("after deleting the thumbs down: %s", got)
	}
	del(t, path+q("chatId", "s2"), http.StatusNotFound)
	del(t, path+q("memoryType", "Buffer Memory"), http.StatusNotFound)
	del(t, path+q("endDate", "2001-01-01"), http.StatusNotFound)

	t.Run("hardDelete takes the files", func(t *testing.T) {
		docs := s.talk(t, "docs", dialogs.CreateInput{Source: dialogs.SourceTest}, "")
		_, ref, err := s.e.Dialogs.UploadAnswer(t.Context(), docs, dialogs.Upload{Name: "id.pdf", Type: "application/pdf",
			Body: bytes.NewReader([]byte("%PDF-1.4 scan")), Link: func(int64) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		docsPath := "/chatmessage/" + s.otherBot.UUID + "?"
		r := s.e.Do("GET", docsPath+q("chatType", "INTERNAL"), s.e.A.Bearer(), nil)
		var msgs []message
		r.JSON(t, &msgs)
		if len(msgs) < 2 || len(msgs[1].FileUploads) != 1 || msgs[1].FileUploads[0]["name"] != "id.pdf" || msgs[1].FileUploads[0]["mime"] != "application/pdf" {
			t.Fatalf("the upload: %s", r.Body)
		}
		del(t, docsPath+q("chatType", "INTERNAL", "hardDelete", "true"), http.StatusOK)
		if _, err := s.e.Store.File(t.Context(), s.e.A.ID, ref.ID); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("the file after hardDelete: %v", err)
		}
		r = s.e.Do("GET", docsPath+q("chatType", "EXTERNAL"), s.e.A.Bearer(), nil)
		if r.JSON(t, &msgs); len(msgs) != 1 {
			t.Errorf("the other chat of the bot lost messages: %s", r.Body)
		}
	})

	del(t, "/chatmessage/"+s.bot.UUID+"?"+q("chatId", "s1"), http.StatusOK)
	if got := contents(s.list(t, "")); got != "Your name? | Kate | Hello, Kate!" {
		t.Errorf("after deleting chat s1: %s", got)
	}
	if _, err := s.e.Dialogs.SendMessage(t.Context(), s.api, dialogs.Message{Text: "Joe"}); err != nil {
		t.Fatalf("the chat goes on: %v", err)
	}
	if got := contents(s.list(t, q("chatId", "s1"))); got != "Joe | Your name?" {
		t.Errorf("chat s1 after: %s", got)
	}
}
