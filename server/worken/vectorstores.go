package worken

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// Limits of a vector store's settings.
const (
	maxNameRunes    = 256
	maxCreateFiles  = 500 // file_ids in one create, as OpenAI's
	runesPerToken   = 4   // a chunk of n tokens is cut as 4n characters
	minChunkTokens  = 100 // OpenAI's bounds of max_chunk_size_tokens
	maxChunkTokens  = 4096
	createStoreBody = `{"name": "Support FAQ", "file_ids": ["file-..."]}`
	updateStoreBody = `{"name": "Support FAQ"}`
)

type createStoreJSON struct {
	Name             *string       `json:"name"`
	FileIDs          []string      `json:"file_ids"`
	ChunkingStrategy *chunkingJSON `json:"chunking_strategy"`
}

// chunkingJSON is OpenAI's chunking strategy: {"type": "auto"} or
// {"type": "static", "static": {...}} in tokens.
type chunkingJSON struct {
	Type   string `json:"type"`
	Static *struct {
		MaxChunkSizeTokens int `json:"max_chunk_size_tokens"`
		ChunkOverlapTokens int `json:"chunk_overlap_tokens"`
	} `json:"static"`
}

// createStore is POST /vector_stores: a store, and the files of file_ids
// added to it (indexing starts). Every file is checked before anything is
// written; a duplicate name is 409.
func (h *handlers) createStore(c *gin.Context) {
	var body createStoreJSON
	if err := bindJSON(c, &body, createStoreBody); err != nil {
		fail(c, err)
		return
	}
	vs, err := newStore(body)
	if err != nil {
		fail(c, err)
		return
	}
	vs.ProjectID = project(c)
	if err := h.checkFiles(c, body.FileIDs); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := h.Store.CreateVectorStore(ctx, vs); err != nil {
		fail(c, nameTaken(err, vs.Name))
		return
	}
	for _, id := range body.FileIDs {
		if _, err := h.Knowledge.AddFile(ctx, vs.ProjectID, vs.UUID, id); err != nil {
			rollback(c, "removing the half-made vector store "+vs.UUID, h.Knowledge.DeleteStore(context.WithoutCancel(ctx), vs.ProjectID, vs.UUID))
			fail(c, err)
			return
		}
	}
	h.renderStore(c, vs)
}

// newStore checks a create body and returns the store it asks for.
func newStore(body createStoreJSON) (*store.VectorStore, error) {
	vs := &store.VectorStore{}
	if body.Name != nil {
		if err := checkName(*body.Name); err != nil {
			return nil, err
		}
		vs.Name = *body.Name
	}
	if len(body.FileIDs) > maxCreateFiles {
		return nil, store.FieldErrorf(store.EINVALID, "file_ids", "file_ids has %d files; add at most %d when creating a store, and the rest with POST /vector_stores/:id/files.", len(body.FileIDs), maxCreateFiles)
	}
	if cs := body.ChunkingStrategy; cs != nil {
		size, overlap, err := chunking(cs)
		if err != nil {
			return nil, err
		}
		vs.ChunkSize, vs.ChunkOverlap = size, overlap
	}
	return vs, nil
}

func checkName(name string) error {
	if n := utf8.RuneCountInString(name); n > maxNameRunes {
		return store.FieldErrorf(store.EINVALID, "name", "The name is %d characters long; use at most %d.", n, maxNameRunes)
	}
	return nil
}

// chunking turns OpenAI's strategy into the store's chunk size and
// overlap in characters (4 per token); auto is the default (0, 0).
func chunking(cs *chunkingJSON) (size, overlap int, err error) {
	switch cs.Type {
	case "auto", "":
		return 0, 0, nil
	case "static":
	default:
		return 0, 0, store.FieldErrorf(store.EINVALID, "chunking_strategy", "chunking_strategy.type must be auto or static, got %q.", cs.Type)
	}
	s := cs.Static
	switch {
	case s == nil:
		return 0, 0, store.FieldErrorf(store.EINVALID, "chunking_strategy", `A static chunking_strategy needs "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}.`)
	case s.MaxChunkSizeTokens < minChunkTokens || s.MaxChunkSizeTokens > maxChunkTokens:
		return 0, 0, store.FieldErrorf(store.EINVALID, "chunking_strategy", "max_chunk_size_tokens must be from %d to %d, got %d.", minChunkTokens, maxChunkTokens, s.MaxChunkSizeTokens)
	case s.ChunkOverlapTokens < 0 || s.ChunkOverlapTokens > s.MaxChunkSizeTokens/2:
		return 0, 0, store.FieldErrorf(store.EINVALID, "chunking_strategy", "chunk_overlap_tokens must be from 0 to half of max_chunk_size_tokens (%d), got %d.", s.MaxChunkSizeTokens/2, s.ChunkOverlapTokens)
	}
	return s.MaxChunkSizeTokens * runesPerToken, s.ChunkOverlapTokens * runesPerToken, nil
}

// checkFiles makes sure every file id names one of the caller's files.
func (h *handlers) checkFiles(c *gin.Context, ids []string) error {
	for _, id := range ids {
		if id == "" {
			return store.FieldErrorf(store.EINVALID, "file_ids", "file_ids has an empty id; list the ids POST /files returned.")
		}
		if _, err := h.document(c, id); err != nil {
			return err
		}
	}
	return nil
}

// nameTaken says which name is taken when err is the store's conflict.
func nameTaken(err error, name string) error {
	if store.ErrorCode(err) == store.ECONFLICT {
		return store.Errorf(store.ECONFLICT, "A vector store named %q already exists in this project; choose another name.", name)
	}
	return err
}

// listStores is GET /vector_stores.
func (h *handlers) listStores(c *gin.Context) {
	p, err := parsePage(c)
	if err != nil {
		fail(c, err)
		return
	}
	all, err := h.Store.VectorStores(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	stores, more, err := page(all, func(v store.VectorStore) string { return v.UUID }, p)
	if err != nil {
		fail(c, err)
		return
	}
	sz := newSizes(h.Store, project(c))
	data := make([]vectorStoreJSON, len(stores))
	for i := range stores {
		if data[i], err = storeView(c.Request.Context(), h.Store, sz, &stores[i]); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, list(data, func(v vectorStoreJSON) string { return v.ID }, more))
}

// getStore is GET /vector_stores/:id; the id may also be the store's name.
func (h *handlers) getStore(c *gin.Context) {
	if vs, ok := h.vectorStore(c); ok {
		h.renderStore(c, vs)
	}
}

type updateStoreJSON struct {
	Name *string `json:"name"`
}

// updateStore is POST /vector_stores/:id: renames the store (409 if the
// name is another store's). Fields other than name are ignored.
func (h *handlers) updateStore(c *gin.Context) {
	var body updateStoreJSON
	if err := bindJSON(c, &body, updateStoreBody); err != nil {
		fail(c, err)
		return
	}
	vs, ok := h.vectorStore(c)
	if !ok {
		return
	}
	if body.Name != nil && *body.Name != vs.Name {
		if err := checkName(*body.Name); err != nil {
			fail(c, err)
			return
		}
		renamed, err := h.Store.RenameVectorStore(c.Request.Context(), vs.ProjectID, vs.UUID, *body.Name)
		if err != nil {
			fail(c, nameTaken(err, *body.Name))
			return
		}
		vs = renamed
	}
	h.renderStore(c, vs)
}

// deleteStore is DELETE /vector_stores/:id: the store, its files and
// their chunks go; the uploaded files stay.
func (h *handlers) deleteStore(c *gin.Context) {
	vs, ok := h.vectorStore(c)
	if !ok {
		return
	}
	if err := h.Knowledge.DeleteStore(c.Request.Context(), vs.ProjectID, vs.UUID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: vs.UUID, Object: "vector_store.deleted", Deleted: true})
}

// vectorStore finds the caller's store of the path, by id or name, or
// renders a 404 that names it.
func (h *handlers) vectorStore(c *gin.Context) (*store.VectorStore, bool) {
	id := c.Param("id")
	vs, err := h.Store.VectorStore(c.Request.Context(), project(c), id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		err = store.Errorf(store.ENOTFOUND, "No vector store with id %q in this project.", id)
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return vs, true
}

func (h *handlers) renderStore(c *gin.Context, vs *store.VectorStore) {
	v, err := storeView(c.Request.Context(), h.Store, newSizes(h.Store, vs.ProjectID), vs)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
