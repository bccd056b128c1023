package flowise

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Flowise's message roles.
const (
	roleUser = "userMessage"
	roleAPI  = "apiMessage"
)

// chatMessage is a message as Flowise 3.1.4 answers it: every field
// present, in its order, what Parley does not have null.
type chatMessage struct {
	ID              string           `json:"id"`
	Role            string           `json:"role"`
	ChatflowID      string           `json:"chatflowid"`
	ExecutionID     *string          `json:"executionId"`
	Content         string           `json:"content"`
	SourceDocuments []sourceDocument `json:"sourceDocuments"`
	UsedTools       []usedTool       `json:"usedTools"`
	FileAnnotations []any            `json:"fileAnnotations"`
	AgentReasoning  []agentReasoning `json:"agentReasoning"`
	ReasonContent   *string          `json:"reasonContent"`
	FileUploads     []fileUpload     `json:"fileUploads"`
	Artifacts       []any            `json:"artifacts"`
	Action          any              `json:"action"`
	ChatType        string           `json:"chatType"`
	ChatID          string           `json:"chatId"`
	MemoryType      *string          `json:"memoryType"`
	SessionID       string           `json:"sessionId"`
	CreatedDate     string           `json:"createdDate"`
	LeadEmail       *string          `json:"leadEmail"`
	FollowUpPrompts *string          `json:"followUpPrompts"`
}

// sourceDocument is a knowledge chunk an answer drew on, as LangChain's
// Document: its text and where it came from.
type sourceDocument struct {
	PageContent string         `json:"pageContent"`
	Metadata    map[string]any `json:"metadata"`
}

// usedTool is a tool call of an answer. Parley does not store its tool
// calls yet, so none is ever listed (usedTools is null).
type usedTool struct {
	Tool       string `json:"tool"`
	ToolInput  any    `json:"toolInput"`
	ToolOutput string `json:"toolOutput"`
}

// agentReasoning is a step of the turn: the node that said the message.
type agentReasoning struct {
	AgentName       string           `json:"agentName"`
	Messages        []string         `json:"messages"`
	NodeName        string           `json:"nodeName"`
	NodeID          string           `json:"nodeId"`
	UsedTools       []usedTool       `json:"usedTools"`
	SourceDocuments []sourceDocument `json:"sourceDocuments"`
	State           map[string]any   `json:"state"`
}

// fileUpload is a file a message carries.
type fileUpload struct {
	Data string `json:"data"` // where to fetch it
	Type string `json:"type"` // "url": data is its address
	Name string `json:"name"`
	Mime string `json:"mime"`
}

// isoMillis is JavaScript's Date.toISOString: UTC with milliseconds.
const isoMillis = "2006-01-02T15:04:05.000Z"

// chatIDOf is the chat id of a dialog: the id its client chose, else its
// UUID.
func chatIDOf(d store.ChatDialog) string {
	if d.ExternalID != "" {
		return d.ExternalID
	}
	return d.UUID
}

// roleOf is a message's Flowise role; false for a system message, which
// is Parley's own note in the dialog, not said to the user.
func roleOf(role string) (string, bool) {
	switch role {
	case store.MessageUser:
		return roleUser, true
	case store.MessageAssistant, store.MessageOperator:
		return roleAPI, true
	}
	return "", false
}

// toChatMessage shapes m, a message of bot's dialog; link is the address
// of a stored file.
func toChatMessage(m store.ChatMessage, bot *store.Bot, link func(fileID int64) string) chatMessage {
	role, _ := roleOf(m.Role)
	chatType := chatExternal
	if m.Dialog.Source == store.SourceTest {
		chatType = chatInternal
	}
	chat := chatIDOf(m.Dialog)
	out := chatMessage{ID: m.ID, Role: role, ChatflowID: bot.UUID, Content: m.Text, ChatType: chatType, ChatID: chat, SessionID: chat,
		SourceDocuments: sourcesOf(m.Sources), FileUploads: uploadsOf(m.Files, link),
		CreatedDate: m.CreatedAt.UTC().Format(isoMillis), LeadEmail: emailOf(m.Dialog.User)}
	if role == roleAPI && m.Node != "" {
		out.AgentReasoning = []agentReasoning{{AgentName: bot.Name, Messages: []string{m.Text}, NodeName: m.Node, NodeID: m.Node,
			SourceDocuments: out.SourceDocuments, State: map[string]any{}}}
	}
	return out
}

func sourcesOf(sources []store.Source) []sourceDocument {
	if len(sources) == 0 {
		return nil
	}
	out := make([]sourceDocument, len(sources))
	for i, s := range sources {
		out[i] = sourceDocument{PageContent: s.Text, Metadata: map[string]any{"source": s.Filename, "vectorStoreId": s.Store,
			"documentId": s.Document, "chunk": s.Chunk, "score": s.Score}}
	}
	return out
}

func uploadsOf(files []store.Attachment, link func(int64) string) []fileUpload {
	if len(files) == 0 {
		return nil
	}
	out := make([]fileUpload, len(files))
	for i, f := range files {
		data := f.URL
		if f.ID != 0 {
			data = link(f.ID)
		}
		out[i] = fileUpload{Data: data, Type: "url", Name: f.Name, Mime: f.MIMEType}
	}
	return out
}

// emailOf is the email of a dialog's person, from the profile its client
// gave; nil when it has none.
func emailOf(user map[string]any) *string {
	if e, ok := user["email"].(string); ok && strings.TrimSpace(e) != "" {
		return &e
	}
	return nil
}

// feedbackJSON is Flowise's ChatMessageFeedback entity.
type feedbackJSON struct {
	ID          string  `json:"id"`
	ChatflowID  string  `json:"chatflowid"`
	ChatID      string  `json:"chatId"`
	MessageID   string  `json:"messageId"`
	Rating      string  `json:"rating"`
	Content     *string `json:"content"`
	CreatedDate string  `json:"createdDate"`
}

func toFeedback(f *store.Feedback, chatflowID, chatID string) feedbackJSON {
	var content *string
	if f.Content != "" {
		content = &f.Content
	}
	return feedbackJSON{ID: f.UUID, ChatflowID: chatflowID, ChatID: chatID, MessageID: f.MessageID, Rating: flowiseOf[f.Rating],
		Content: content, CreatedDate: f.CreatedAt.UTC().Format(isoMillis)}
}

// fileLink is the address of a stored file: the native API's, which
// takes the same credentials.
func (h *handlers) fileLink(id int64) string { return h.Link(fmt.Sprintf("/v1/files/%d", id)) }
