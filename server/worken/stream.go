package worken

import (
	"encoding/json"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

const streamBody = `{"messages": [{"role": "user", "content": "What is your refund policy?"}]}`

// streamRequest is what POST /chats/:chat_id/threads/:thread_id/stream
// takes: Worken's {messages: [{role, content}]}, or what the AI SDK's
// useChat sends (messages with parts, the whole conversation so far). The
// last user message is the one sent.
type streamRequest struct {
	Messages    []streamMessage `json:"messages"`
	ScheduledAt *time.Time      `json:"scheduledAt"`
}

type streamMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Parts   []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"parts"`
}

// userText is the text of the request's last user message, and whether
// the request is the AI SDK's (its messages carry parts).
func (r *streamRequest) userText() (string, bool, error) {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		m := r.Messages[i]
		if m.Role != "user" {
			continue
		}
		if m.Parts != nil {
			var b strings.Builder
			for _, p := range m.Parts {
				if p.Type == "text" {
					b.WriteString(p.Text)
				}
			}
			return b.String(), true, nil
		}
		var text string
		if err := json.Unmarshal(m.Content, &text); err != nil {
			return "", false, store.FieldErrorf(store.EINVALID, "messages", "A user message's `content` is its text, a string.")
		}
		return text, false, nil
	}
	return "", false, store.FieldErrorf(store.EINVALID, "messages", "Send the user's message: `messages` has no message with role user.")
}

// streamThread is POST /chats/:chat_id/threads/:thread_id/stream: the
// user's message goes into the thread (made on first use), and the turn
// streams back as server-sent events: the AI SDK's UI message stream for
// a body whose messages have parts, Worken's own events otherwise. Every
// bot streams: a model's text as it is written, a flow's messages whole,
// buttons as a data-buttons part. A thread with operators stores the
// message and streams only the finish.
func (h *handlers) streamThread(c *gin.Context) {
	ch, ok := h.chat(c) // first: another project's chat is 404 whatever the body
	if !ok {
		return
	}
	var req streamRequest
	if err := bindJSON(c, &req, streamBody); err != nil {
		fail(c, err)
		return
	}
	text, aiSDK, err := req.userText()
	if err == nil && strings.TrimSpace(text) == "" {
		err = store.FieldErrorf(store.EINVALID, "messages", "The user's message is empty; send some text.")
	}
	if err != nil {
		fail(c, err)
		return
	}
	if ch.Status != store.ChannelActive {
		fail(c, store.Errorf(store.ECONFLICT, "Chat %s is %s; set it active to talk in it.", ch.UUID, ch.Status))
		return
	}
	release, err := h.OpenStream(server.StreamKey(c))
	if err != nil {
		fail(c, err)
		return
	}
	defer release()
	ctx := c.Request.Context()
	d, first, err := h.openThread(c, ch, c.Param("thread_id"))
	if err != nil {
		fail(c, err)
		return
	}
	if at := req.ScheduledAt; at != nil && at.After(time.Now()) {
		h.scheduleInThread(c, d, first, dialogs.Message{Text: text, At: at}, aiSDK)
		return
	}
	var deltas <-chan events.Event
	if h.Bus != nil {
		var stop func()
		deltas, stop = h.Bus.Subscribe(ctx, d.ProjectID, d.ID) // before sending: no delta is missed
		defer stop()
	}
	done := make(chan turnResult, 1)
	go func() {
		turn, err := h.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: text})
		done <- turnResult{turn, err}
	}()
	s := newTurnStream(c, aiSDK)
	if first != nil {
		s.messages(first.Messages)
	}
	for {
		select {
		case ev, open := <-deltas:
			if !open {
				deltas = nil
			} else {
				s.event(ev)
			}
		case r := <-done:
			if r.err != nil && !s.opened {
				fail(c, r.err)
				return
			}
			if r.err != nil {
				s.fail(store.ErrorMessage(r.err))
				return
			}
			s.messages(r.turn.Messages)
			if why, failed := failure(r.turn); failed {
				s.fail(why) // the bot stopped: say why, not a silent finish
				return
			}
			s.finish()
			return
		}
	}
}

// scheduleInThread queues a user's message for later (durably, in the
// dialog's workflow) and answers at once: the stream carries only a new
// thread's greeting and the finish.
func (h *handlers) scheduleInThread(c *gin.Context, d *store.Dialog, first *dialogs.Turn, m dialogs.Message, aiSDK bool) {
	if _, err := h.Dialogs.SendMessage(c.Request.Context(), d, m); err != nil {
		fail(c, err)
		return
	}
	s := newTurnStream(c, aiSDK)
	if first != nil {
		s.messages(first.Messages)
	}
	s.finish()
}

// failure is why a turn ended its dialog in error: the system message
// that says so.
func failure(turn *dialogs.Turn) (string, bool) {
	if turn.State.Status != store.StatusError {
		return "", false
	}
	for i := len(turn.Messages) - 1; i >= 0; i-- {
		if m := turn.Messages[i]; m.Role == store.MessageSystem {
			return m.Text, true
		}
	}
	return "The bot stopped with an error.", true
}

type turnResult struct {
	turn *dialogs.Turn
	err  error
}

// openThread is the chat's thread of a client's id, created and started
// when there is none (its first turn is returned then; it spends one of
// the caller's dialogs budget): an id that is a UUID becomes the
// dialog's, any other is kept as its external id.
func (h *handlers) openThread(c *gin.Context, ch *store.Channel, id string) (*store.Dialog, *dialogs.Turn, error) {
	ctx := c.Request.Context()
	d, err := h.findThread(ctx, ch.ProjectID, ch, id)
	if store.ErrorCode(err) != store.ENOTFOUND {
		return d, nil, err
	}
	if id == "" || len(id) > 200 {
		return nil, nil, store.FieldErrorf(store.EINVALID, "thread_id", "A thread id has 1 to 200 characters.")
	}
	if err := h.SpendDialog(c); err != nil {
		return nil, nil, err
	}
	bot, err := h.Store.BotByID(ctx, ch.ProjectID, ch.BotID)
	if err != nil {
		return nil, nil, err
	}
	in := dialogs.CreateInput{Start: true, Source: "worken", ChannelID: ch.ID, ExternalID: id}
	if u, err := uuid.Parse(id); err == nil {
		in.UUID, in.ExternalID = u.String(), ""
	}
	return h.Dialogs.Create(ctx, ch.ProjectID, bot.Slug, in)
}

// turnStream writes a turn as server-sent events in one of the two wire
// formats, opening the stream on its first write.
type turnStream struct {
	c      *gin.Context
	aiSDK  bool
	opened bool
	// text is the part open for a node's streamed text: its id and what
	// was sent of it, so the stored message it ends as is not sent again.
	text  *streamedText
	parts int
	tools map[string]bool // the calls sent, by id: whether their result was
}

type streamedText struct {
	id, node string
	attempt  int
	sent     string
}

func newTurnStream(c *gin.Context, aiSDK bool) *turnStream { return &turnStream{c: c, aiSDK: aiSDK} }

func (s *turnStream) open() {
	if s.opened {
		return
	}
	s.opened = true
	if s.aiSDK {
		s.c.Header("x-vercel-ai-ui-message-stream", "v1")
	}
	server.OpenSSE(s.c.Writer)
	if s.aiSDK {
		s.write(gin.H{"type": "start", "messageId": uuid.NewString()})
	}
}

func (s *turnStream) write(v any) {
	b, _ := json.Marshal(v)
	_, _ = s.c.Writer.Write(append(append([]byte("data: "), b...), '\n', '\n'))
	s.c.Writer.Flush()
}

// event sends what the bus says of the turn while it runs: a model's text
// as it is written, the tools it calls and what they give back.
func (s *turnStream) event(ev events.Event) {
	switch {
	case ev.Type == events.TypeTextDelta:
		s.delta(ev.Node, ev.Attempt, ev.Delta)
	case ev.Type == events.TypeToolCall && ev.Tool != nil:
		s.toolCall(*ev.Tool)
	case ev.Type == events.TypeToolResult && ev.Tool != nil:
		s.toolResult(*ev.Tool)
	}
}

// toolCall sends a tool call once (a retried activity tells again): the
// AI SDK's tool-input-available, Worken's tool-call.
func (s *turnStream) toolCall(call events.ToolCall) {
	if s.tools == nil {
		s.tools = map[string]bool{}
	}
	if _, seen := s.tools[call.ID]; seen {
		return
	}
	s.tools[call.ID] = false
	s.open()
	s.endText()
	args := jsonOrString(call.Arguments)
	if s.aiSDK {
		s.write(gin.H{"type": "tool-input-available", "toolCallId": call.ID, "toolName": call.Name, "input": args, "dynamic": true})
	} else {
		s.write(gin.H{"type": "tool-call", "toolCallId": call.ID, "toolName": call.Name, "args": args})
	}
}

// toolResult sends a called tool's result once.
func (s *turnStream) toolResult(call events.ToolCall) {
	if done, called := s.tools[call.ID]; !called || done {
		return // the AI SDK refuses an output for a call it was not told of
	}
	s.tools[call.ID] = true
	result := jsonOrString(call.Result)
	if s.aiSDK {
		s.write(gin.H{"type": "tool-output-available", "toolCallId": call.ID, "output": result, "dynamic": true})
	} else {
		s.write(gin.H{"type": "tool-result", "toolCallId": call.ID, "toolName": call.Name, "result": result})
	}
}

// jsonOrString is a tool's arguments or result as JSON when it is JSON
// (a block's answer, a URL tool's body), else as the text it is.
func jsonOrString(s string) any {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return s
}

// delta sends text a model is writing.
func (s *turnStream) delta(node string, attempt int, delta string) {
	s.open()
	if t := s.text; t == nil || t.node != node || t.attempt != attempt {
		s.endText()
		s.parts++
		s.text = &streamedText{id: "text-" + itoa(s.parts), node: node, attempt: attempt}
		if s.aiSDK {
			s.write(gin.H{"type": "text-start", "id": s.text.id})
		}
	}
	s.text.sent += delta
	s.sendDelta(s.text.id, delta)
}

func (s *turnStream) sendDelta(id, delta string) {
	if s.aiSDK {
		s.write(gin.H{"type": "text-delta", "id": id, "delta": delta})
	} else {
		s.write(gin.H{"type": "text-delta", "textDelta": delta})
	}
}

func (s *turnStream) endText() {
	if s.text != nil && s.aiSDK {
		s.write(gin.H{"type": "text-end", "id": s.text.id})
	}
	s.text = nil
}

// messages sends a turn's messages for the user: each whole, but for the
// text a model streamed already; buttons after their message.
func (s *turnStream) messages(msgs []store.Message) {
	s.open()
	for _, m := range msgs {
		if m.Role != store.MessageAssistant && m.Role != store.MessageOperator {
			continue
		}
		// A model's text is stored trimmed (settings.ai.formatting), so
		// what was streamed may end in a newline the message has not.
		if t := s.text; t != nil && t.node == m.Node && strings.TrimSpace(t.sent) == m.Text {
			s.endText()
		} else if m.Text != "" {
			s.endText()
			s.parts++
			id := "text-" + itoa(s.parts)
			if s.aiSDK {
				s.write(gin.H{"type": "text-start", "id": id})
			}
			s.sendDelta(id, m.Text)
			if s.aiSDK {
				s.write(gin.H{"type": "text-end", "id": id})
			}
		}
		if len(m.Buttons) > 0 {
			s.buttons(m.Buttons)
		}
		s.files(m.Files)
	}
	s.endText()
}

// files sends the files a flow sends by address as the AI SDK's file
// parts (Worken's own events have none). Files uploaded into the dialog
// are not sent: their links need the project's credentials.
func (s *turnStream) files(files []store.Attachment) {
	for _, f := range files {
		if f.URL == "" || !s.aiSDK {
			continue
		}
		s.write(gin.H{"type": "file", "url": f.URL, "mediaType": mediaTypeOf(f)})
	}
}

// mediaTypeOf is a file's MIME type: as stored, else by the extension of
// its address, else application/octet-stream.
func mediaTypeOf(f store.Attachment) string {
	if f.MIMEType != "" {
		return f.MIMEType
	}
	u, err := url.Parse(f.URL)
	if err == nil {
		if t := mime.TypeByExtension(path.Ext(u.Path)); t != "" {
			return t
		}
	}
	return "application/octet-stream"
}

func (s *turnStream) buttons(buttons []string) {
	if s.aiSDK {
		s.write(gin.H{"type": "data-buttons", "data": gin.H{"buttons": buttons}})
	} else {
		s.write(gin.H{"type": "buttons", "buttons": buttons})
	}
}

func (s *turnStream) finish() {
	s.open()
	s.endText()
	if s.aiSDK {
		s.write(gin.H{"type": "finish", "finishReason": "stop"})
		_, _ = s.c.Writer.Write([]byte("data: [DONE]\n\n"))
		s.c.Writer.Flush()
		return
	}
	s.write(gin.H{"type": "finish", "finishReason": "stop"})
}

// fail ends an open stream with an error.
func (s *turnStream) fail(message string) {
	s.endText()
	if s.aiSDK {
		s.write(gin.H{"type": "error", "errorText": message})
		_, _ = s.c.Writer.Write([]byte("data: [DONE]\n\n"))
		s.c.Writer.Flush()
		return
	}
	s.write(gin.H{"type": "error", "error": message})
}

func itoa(n int) string { return strconv.Itoa(n) }
