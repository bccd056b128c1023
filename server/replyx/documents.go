package replyx

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows/botflow"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Each assistant has a knowledge base: the vector store named
// "assistant-<id>", which its llm node searches (its flow's
// `knowledge`). A ReplyX document is a Parley document in it; its id is
// the document's id, its status the store file's: processing while it is
// indexed (a durable workflow), then completed with chunks_count, or
// failed.

// uploadLimit is the document's: 10 uploads per 5 minutes, per caller.
var uploadLimit = server.RouteLimit{N: 10, Period: 5 * time.Minute}

const uploadHint = `the file in a field named "file" and the assistant's id in "assistant_id"`

// knowledgeName is the name of an assistant's vector store.
func knowledgeName(botID int64) string { return "assistant-" + strconv.FormatInt(botID, 10) }

// documentJSON is ReplyX's document.
type documentJSON struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Status      string    `json:"status"`
	ChunksCount int       `json:"chunks_count"`
	Error       *string   `json:"error,omitempty"`
	AssistantID int64     `json:"assistant_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// statuses are ReplyX's document statuses of a store file's.
var statuses = map[string]string{store.FilePending: "processing", store.FileProcessed: "completed", store.FileError: "failed"}

func documentOf(d *store.Document, f *store.VectorStoreFile, assistant int64) documentJSON {
	out := documentJSON{ID: d.ID, Filename: d.Name, Size: d.Size, ContentType: d.MIMEType, Status: statuses[f.Status],
		ChunksCount: f.ChunkCount, AssistantID: assistant, CreatedAt: d.CreatedAt.UTC()}
	if f.Error != "" {
		out.Error = &f.Error
	}
	return out
}

// uploadDocument is POST /api/documents/upload: the file goes into the
// assistant's knowledge base and is indexed in the background.
func (h *handlers) uploadDocument(c *gin.Context) {
	assistantID := ""
	doc, err := h.ReadUpload(c, map[string]*string{"assistant_id": &assistantID}, uploadHint)
	if err != nil {
		fail(c, err)
		return
	}
	if assistantID == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "assistant_id", "Send the assistant's id in the form field assistant_id."))
		return
	}
	c.AddParam("id", assistantID)
	b, ok := h.assistant(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	if err := h.checkFormat(doc); err != nil {
		fail(c, err)
		return
	}
	doc.ProjectID, doc.Purpose = b.ProjectID, "assistants"
	if err := h.Store.CreateDocument(ctx, doc); err != nil {
		fail(c, err)
		return
	}
	f, err := h.addKnowledge(ctx, b, doc)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, documentOf(doc, f, b.ID))
}

// checkFormat refuses a file Parley cannot read text from (415), from its
// name, type and first bytes.
func (h *handlers) checkFormat(doc *store.Document) error {
	blob, err := h.Files.Open(doc.SHA256)
	if err != nil {
		return err
	}
	defer blob.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(blob, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if _, err := knowledge.DetectFormat(doc.Name, doc.MIMEType, head[:n]); err != nil {
		names := make([]string, 0, 8)
		for _, f := range knowledge.SupportedFormats() {
			names = append(names, string(f))
		}
		return store.FieldErrorf(store.EUNSUPPORTED, "file", "Parley cannot read %q (%s); upload one of: %s.", doc.Name, doc.MIMEType, strings.Join(names, ", "))
	}
	return nil
}

// addKnowledge adds doc to b's knowledge base.
func (h *handlers) addKnowledge(ctx context.Context, b *store.Bot, doc *store.Document) (*store.VectorStoreFile, error) {
	vs, err := h.knowledgeBase(ctx, b)
	if err != nil {
		return nil, err
	}
	return h.Knowledge.AddFile(ctx, b.ProjectID, vs.UUID, doc.UUID)
}

// knowledgeBase is b's knowledge base, made on first use, when b's llm
// nodes are also pointed at it (a new flow version).
func (h *handlers) knowledgeBase(ctx context.Context, b *store.Bot) (*store.VectorStore, error) {
	name := knowledgeName(b.ID)
	vs, err := h.Knowledge.StoreNamed(ctx, b.ProjectID, name)
	if err != nil {
		return nil, err
	}
	if _, _, err := h.Dialogs.EditBot(ctx, b, assistantAuthor, func(root *yaml.Node) error { return botflow.AddKnowledge(root, name) }); err != nil {
		return nil, err
	}
	return vs, nil
}

// assistantStores are the project's assistants' knowledge bases by bot id.
func (h *handlers) assistantStores(ctx context.Context, projectID int64) (map[int64]store.VectorStore, error) {
	all, err := h.Store.VectorStores(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := map[int64]store.VectorStore{}
	for _, vs := range all {
		if id, err := strconv.ParseInt(strings.TrimPrefix(vs.Name, "assistant-"), 10, 64); err == nil && strings.HasPrefix(vs.Name, "assistant-") {
			out[id] = vs
		}
	}
	return out, nil
}

// listDocuments is GET /api/documents: every assistant's documents, or
// one's (assistant_id), oldest first.
func (h *handlers) listDocuments(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	only, err := intParam(c, "assistant_id", 0, 1, 1<<62)
	if err != nil {
		fail(c, err)
		return
	}
	docs, err := h.documents(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	out := []documentJSON{}
	for _, d := range docs {
		if only == 0 || d.AssistantID == int64(only) {
			out = append(out, d)
		}
	}
	c.JSON(http.StatusOK, out)
}

// assistantFile is a file of an assistant's knowledge base.
type assistantFile struct {
	assistant int64
	file      store.VectorStoreFile // its UUID is its document's
}

// assistantFiles are the files of the project's assistants' knowledge
// bases: the documents ReplyX shows (a Worken file in no assistant's
// store is not one).
func (h *handlers) assistantFiles(ctx context.Context, projectID int64) ([]assistantFile, error) {
	stores, err := h.assistantStores(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var out []assistantFile
	for botID, vs := range stores {
		files, err := h.Store.VectorStoreFiles(ctx, projectID, vs.UUID)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			out = append(out, assistantFile{assistant: botID, file: f})
		}
	}
	return out, nil
}

// documents are the project's assistants' documents, oldest first.
func (h *handlers) documents(ctx context.Context, projectID int64) ([]documentJSON, error) {
	files, err := h.assistantFiles(ctx, projectID)
	if err != nil {
		return nil, err
	}
	all, err := h.Store.Documents(ctx, projectID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*store.Document{}
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	out := []documentJSON{}
	for _, af := range files {
		if d := byID[af.file.DocumentID]; d != nil {
			out = append(out, documentOf(d, &af.file, af.assistant))
		}
	}
	slices.SortFunc(out, func(a, b documentJSON) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// deleteDocument is DELETE /api/documents/{id}: one of the assistants'
// documents leaves its knowledge base, its chunks the index.
func (h *handlers) deleteDocument(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	files, err := h.assistantFiles(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	i := slices.IndexFunc(files, func(af assistantFile) bool { return af.file.DocumentID == id })
	if i < 0 {
		fail(c, store.Errorf(store.ENOTFOUND, "No assistant has a document %q.", c.Param("id")))
		return
	}
	if err := h.Knowledge.DeleteDocument(ctx, project, files[i].file.UUID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"message": "Document deleted.", "id": id})
}
