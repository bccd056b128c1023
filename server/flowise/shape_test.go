package flowise

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// TestSourceTest: the store's mark of the editor's dialogs is the
// engine's, which INTERNAL chats are.
func TestSourceTest(t *testing.T) {
	if store.SourceTest != engine.SourceTest {
		t.Errorf("store.SourceTest %q, engine.SourceTest %q", store.SourceTest, engine.SourceTest)
	}
}

// TestToChatMessage: what a bot's answer with sources and files, an
// operator's message and a system note become.
func TestToChatMessage(t *testing.T) {
	bot := &store.Bot{UUID: "b-uuid", Name: "Support"}
	link := func(id int64) string { return "http://parley/v1/files/7" }
	m := store.ChatMessage{
		Message: store.Message{ID: "d-uuid-4", Seq: 4, Role: store.MessageAssistant, Text: "Returns take 14 days.", Node: "answer",
			CreatedAt: time.Date(2026, 11, 21, 17, 57, 0, 858_400_000, time.FixedZone("UTC+3", 3*3600)),
			Sources:   []store.Source{{Store: "vs", Document: "doc", Filename: "faq.md", Chunk: 2, Score: 0.8, Text: "Returns: 14 days."}},
			Files:     []store.Attachment{{ID: 7, Name: "policy.pdf", MIMEType: "application/pdf"}, {Name: "map.png", URL: "https://x/map.png", Kind: "image"}}},
		Dialog: store.ChatDialog{UUID: "d-uuid", Source: "web", User: map[string]any{"email": "ann@example.com"}},
	}
	got := toChatMessage(m, bot, link)
	if got.Role != roleAPI || got.ChatflowID != "b-uuid" || got.ChatType != chatExternal || got.ChatID != "d-uuid" || got.SessionID != "d-uuid" ||
		got.CreatedDate != "2026-11-21T14:57:00.858Z" || got.LeadEmail == nil || *got.LeadEmail != "ann@example.com" {
		t.Errorf("message: %+v", got)
	}
	if len(got.SourceDocuments) != 1 || got.SourceDocuments[0].PageContent != "Returns: 14 days." || got.SourceDocuments[0].Metadata["source"] != "faq.md" {
		t.Errorf("sourceDocuments: %+v", got.SourceDocuments)
	}
	if len(got.FileUploads) != 2 || got.FileUploads[0].Data != "http://parley/v1/files/7" || got.FileUploads[1].Data != "https://x/map.png" ||
		got.FileUploads[0].Mime != "application/pdf" {
		t.Errorf("fileUploads: %+v", got.FileUploads)
	}
	if r := got.AgentReasoning; len(r) != 1 || r[0].NodeID != "answer" || r[0].AgentName != "Support" || len(r[0].SourceDocuments) != 1 {
		t.Errorf("agentReasoning: %+v", r)
	}
	if got.UsedTools != nil || got.Action != nil || got.MemoryType != nil || got.ExecutionID != nil {
		t.Errorf("what Parley has not is not null: %+v", got)
	}
	m.Role, m.Node, m.Operator = store.MessageOperator, "", "Olga"
	if op := toChatMessage(m, bot, link); op.Role != roleAPI || op.AgentReasoning != nil {
		t.Errorf("an operator's message: %+v", op)
	}
	if _, ok := roleOf(store.MessageSystem); ok {
		t.Error("a system note is listed")
	}
}
