package worken_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/servertest"
)

const refunds = "Refund policy. Customers may return any item within 30 days of delivery for a full refund.\n\n" +
	"Shipping. Orders ship within two business days from our warehouse in Kazan."

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	routes := []struct{ method, path string }{
		{"POST", "/files"},
		{"GET", "/files/file-x"},
		{"POST", "/vector_stores"},
		{"GET", "/vector_stores"},
		{"GET", "/vector_stores/vs_x"},
		{"POST", "/vector_stores/vs_x"},
		{"DELETE", "/vector_stores/vs_x"},
		{"POST", "/vector_stores/vs_x/files"},
		{"GET", "/vector_stores/vs_x/files"},
		{"GET", "/vector_stores/vs_x/files/file-x"},
		{"DELETE", "/vector_stores/vs_x/files/file-x"},
	}
	auths := map[string]string{
		"no header":       "",
		"password":        e.A.Basic(),
		"not an sk- key":  "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
		"unknown sk- key": "Bearer sk-0000000000000000000000000000000000000000",
	}
	for name, auth := range auths {
		for _, r := range routes {
			got := wantError(t, e.Do(r.method, r.path, auth, nil), http.StatusUnauthorized)
			if got.Error.Type != "authentication_error" || got.Error.Code != "invalid_api_key" {
				t.Errorf("%s, %s %s: %+v", name, r.method, r.path, got.Error)
			}
		}
	}
	wantError(t, e.Do("GET", "/vector_stores", "", nil), http.StatusUnauthorized, "Bearer sk-")
	wantError(t, e.Do("GET", "/vector_stores", "Bearer sk-0000000000000000000000000000000000000000", nil), http.StatusUnauthorized, "not valid")
}

func TestUploadFile(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Unix()
	content := []byte("# FAQ\n\nHello.")
	r := upload(t, e, e.A.Bearer(), "faq.md", "text/markdown", content, "assistants")
	var f file
	ok(t, r, &f)
	if !strings.HasPrefix(f.ID, "file-") || f.Object != "file" || f.Bytes != int64(len(content)) || f.Filename != "faq.md" ||
		f.Purpose != "assistants" || f.Status != "processed" || f.CreatedAt < before || f.CreatedAt > time.Now().Unix() {
		t.Errorf("uploaded file %s", r.Body)
	}
	var got file
	ok(t, e.Do("GET", "/files/"+f.ID, e.A.Bearer(), nil), &got)
	if got != f {
		t.Errorf("GET /files/%s = %+v, want %+v", f.ID, got, f)
	}
	doc, err := e.Store.Document(t.Context(), e.A.ID, f.ID)
	if err != nil || doc.MIMEType != "text/markdown" || doc.Size != int64(len(content)) {
		t.Errorf("stored document %+v, %v", doc, err)
	}

	t.Run("purpose defaults to assistants", func(t *testing.T) {
		var f file
		ok(t, upload(t, e, e.A.Bearer(), "a.txt", "", []byte("text"), ""), &f)
		if f.Purpose != "assistants" {
			t.Errorf("purpose %q", f.Purpose)
		}
	})
	t.Run("another project's file", func(t *testing.T) {
		wantError(t, e.Do("GET", "/files/"+f.ID, e.B.Bearer(), nil), http.StatusNotFound, f.ID)
	})
	t.Run("unknown file", func(t *testing.T) {
		wantError(t, e.Do("GET", "/files/file-nope", e.A.Bearer(), nil), http.StatusNotFound, `"file-nope"`)
	})
	t.Run("too large", func(t *testing.T) {
		r := upload(t, e, e.A.Bearer(), "big.txt", "text/plain", bytes.Repeat([]byte("a"), servertest.MaxUpload+1), "assistants")
		if got := wantError(t, r, http.StatusRequestEntityTooLarge, "1 MiB"); got.Error.Code != "file_too_large" {
			t.Errorf("code %q", got.Error.Code)
		}
	})
	t.Run("unknown purpose", func(t *testing.T) {
		r := upload(t, e, e.A.Bearer(), "a.txt", "text/plain", []byte("x"), "dreams")
		if got := wantError(t, r, http.StatusUnprocessableEntity, `"dreams"`, "assistants"); got.Error.Param != "purpose" {
			t.Errorf("param %q", got.Error.Param)
		}
	})
	t.Run("no file field", func(t *testing.T) {
		body := "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n--b--\r\n"
		r := send(t, e, "POST", "/files", e.A.Bearer(), "multipart/form-data; boundary=b", []byte(body), nil)
		wantError(t, r, http.StatusBadRequest, `"file"`)
	})
	t.Run("not multipart", func(t *testing.T) {
		wantError(t, e.Do("POST", "/files", e.A.Bearer(), map[string]any{"file": "x"}), http.StatusBadRequest, "multipart/form-data")
	})
}

// TestVectorStoreLifecycle walks a store through every route: create with
// a file, indexing to processed, list, get (by id and by name), rename,
// search, delete the file (its chunks go), delete the store.
func TestVectorStoreLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	f := uploadText(t, e, e.A, "refunds.txt", refunds)
	before := time.Now().Add(-time.Second)
	vs := createStore(t, e, e.A, map[string]any{"name": "Support", "file_ids": []string{f.ID}})
	created, err := time.Parse(time.RFC3339, vs.CreatedAt)
	if !strings.HasPrefix(vs.ID, "vs_") || vs.Object != "vector_store" || vs.Name != "Support" || vs.FileCount != 1 ||
		vs.FileCounts.Total != 1 || err != nil || created.Before(before.Truncate(time.Second)) {
		t.Errorf("created %+v (created_at: %v)", vs, err)
	}
	if vs.Status != "indexing" && vs.Status != "ready" { // indexing may already be done
		t.Errorf("status %q", vs.Status)
	}

	sf := waitFile(t, e, e.A, vs.ID, f.ID)
	if sf.Status != "processed" || sf.Object != "vector_store.file" || sf.Filename != "refunds.txt" || sf.VectorStoreID != vs.ID ||
		sf.LastError != nil || sf.UsageBytes != int64(len(refunds)) {
		t.Errorf("indexed file %+v", sf)
	}
	if _, err := time.Parse(time.RFC3339, sf.CreatedAt); err != nil {
		t.Errorf("file created_at: %v", err)
	}

	var got vectorStore
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.Status != "ready" || got.FileCount != 1 || got.FileCounts.Completed != 1 || got.FileCounts.InProgress != 0 ||
		got.UsageBytes != int64(len(refunds)) || got.CreatedAt != vs.CreatedAt {
		t.Errorf("after indexing %+v", got)
	}
	var byName vectorStore
	ok(t, e.Do("GET", "/vector_stores/Support", e.A.Bearer(), nil), &byName)
	if byName.ID != vs.ID {
		t.Errorf("by name: %+v", byName)
	}

	var stores list[vectorStore]
	ok(t, e.Do("GET", "/vector_stores", e.A.Bearer(), nil), &stores)
	if stores.Object != "list" || len(stores.Data) != 1 || stores.Data[0].ID != vs.ID || stores.HasMore ||
		*stores.FirstID != vs.ID || *stores.LastID != vs.ID {
		t.Errorf("list %+v", stores)
	}
	var files list[storeFile]
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID+"/files", e.A.Bearer(), nil), &files)
	if files.Object != "list" || len(files.Data) != 1 || files.Data[0] != sf || files.HasMore {
		t.Errorf("files %+v", files)
	}

	var renamed vectorStore
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID, e.A.Bearer(), map[string]any{"name": "Help desk"}), &renamed)
	if renamed.ID != vs.ID || renamed.Name != "Help desk" || renamed.FileCount != 1 {
		t.Errorf("renamed %+v", renamed)
	}
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID, e.A.Bearer(), map[string]any{"metadata": map[string]any{"k": "v"}}), &renamed)
	if renamed.Name != "Help desk" {
		t.Errorf("an update without a name renamed the store to %q", renamed.Name)
	}

	hits, err := e.Knowledge.Search(ctx, e.A.ID, []string{vs.ID}, "How many days to return an item for a refund?", 4, 0)
	if err != nil || len(hits) == 0 || hits[0].Document != f.ID || !strings.Contains(hits[0].Text, "30 days") {
		t.Fatalf("search before deleting: %+v, %v", hits, err)
	}

	var del deleted
	ok(t, e.Do("DELETE", "/vector_stores/"+vs.ID+"/files/"+f.ID, e.A.Bearer(), nil), &del)
	if del != (deleted{ID: f.ID, Object: "vector_store.file.deleted", Deleted: true}) {
		t.Errorf("deleted file %+v", del)
	}
	hits, err = e.Knowledge.Search(ctx, e.A.ID, []string{vs.ID}, "How many days to return an item for a refund?", 4, -1)
	if err != nil || len(hits) != 0 {
		t.Errorf("search after deleting the file: %+v, %v", hits, err)
	}
	wantError(t, e.Do("GET", "/vector_stores/"+vs.ID+"/files/"+f.ID, e.A.Bearer(), nil), http.StatusNotFound, f.ID)
	ok(t, e.Do("GET", "/files/"+f.ID, e.A.Bearer(), nil), &file{}) // the upload stays
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.FileCount != 0 || got.Status != "ready" || got.UsageBytes != 0 {
		t.Errorf("after deleting the file %+v", got)
	}

	// Deleting the store takes the chunks of its files with it.
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID+"/files", e.A.Bearer(), map[string]any{"file_id": f.ID}), &sf)
	waitFile(t, e, e.A, vs.ID, f.ID)
	stored, err := e.Store.VectorStore(ctx, e.A.ID, vs.ID)
	if err != nil {
		t.Fatal(err)
	}
	if chunks, err := e.Store.Chunks(ctx, e.A.ID, []int64{stored.ID}); err != nil || len(chunks) == 0 {
		t.Fatalf("chunks after adding the file again: %d, %v", len(chunks), err)
	}
	ok(t, e.Do("DELETE", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &del)
	if del != (deleted{ID: vs.ID, Object: "vector_store.deleted", Deleted: true}) {
		t.Errorf("deleted store %+v", del)
	}
	if chunks, err := e.Store.Chunks(ctx, e.A.ID, []int64{stored.ID}); err != nil || len(chunks) != 0 {
		t.Errorf("chunks after deleting the store: %d, %v", len(chunks), err)
	}
	wantError(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), http.StatusNotFound, vs.ID)
	wantError(t, e.Do("DELETE", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), http.StatusNotFound, vs.ID)
	ok(t, e.Do("GET", "/vector_stores", e.A.Bearer(), nil), &stores)
	if len(stores.Data) != 0 || stores.FirstID != nil || stores.LastID != nil {
		t.Errorf("list after deleting %s", e.Do("GET", "/vector_stores", e.A.Bearer(), nil).Body)
	}
}

// TestUnsupportedFile: a file Parley cannot read ends in error, with the
// reason in last_error and the store's status error.
func TestUnsupportedFile(t *testing.T) {
	e := newEnv(t)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0, 0xff, 7}, 100)...)
	var f file
	ok(t, upload(t, e, e.A.Bearer(), "setup.exe", "application/octet-stream", exe, "assistants"), &f)
	vs := createStore(t, e, e.A, map[string]any{"name": "Binaries"})
	var added storeFile
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID+"/files", e.A.Bearer(), map[string]any{"file_id": f.ID}), &added)
	if added.ID != f.ID || added.Status != "pending" && added.Status != "error" {
		t.Errorf("added %+v", added)
	}
	sf := waitFile(t, e, e.A, vs.ID, f.ID)
	if sf.Status != "error" || sf.LastError == nil || sf.LastError.Code != "unsupported_file" ||
		!strings.Contains(sf.LastError.Message, "unsupported file type") || sf.UsageBytes != 0 {
		t.Errorf("unsupported file %+v (last_error %+v)", sf, sf.LastError)
	}
	var got vectorStore
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.Status != "error" || got.FileCounts.Failed != 1 || got.FileCounts.Total != 1 {
		t.Errorf("store with a failed file %+v", got)
	}
	var failed list[storeFile]
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID+"/files?filter=failed", e.A.Bearer(), nil), &failed)
	if len(failed.Data) != 1 {
		t.Errorf("filter=failed: %+v", failed)
	}
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID+"/files?filter=processed", e.A.Bearer(), nil), &failed)
	if len(failed.Data) != 0 {
		t.Errorf("filter=processed: %+v", failed)
	}
}

func TestProjectIsolation(t *testing.T) {
	e := newEnv(t)
	f := uploadText(t, e, e.A, "a.txt", refunds)
	vs := createStore(t, e, e.A, map[string]any{"name": "A's", "file_ids": []string{f.ID}})
	waitFile(t, e, e.A, vs.ID, f.ID)
	mine := createStore(t, e, e.B, map[string]any{"name": "A's"}) // names are per project: /vector_stores/A's is B's own

	for _, r := range []struct{ method, path string }{
		{"GET", "/files/" + f.ID},
		{"DELETE", "/files/" + f.ID},
		{"GET", "/vector_stores/" + vs.ID},
		{"POST", "/vector_stores/" + vs.ID},
		{"GET", "/vector_stores/" + vs.ID + "/files"},
		{"GET", "/vector_stores/" + vs.ID + "/files/" + f.ID},
		{"DELETE", "/vector_stores/" + vs.ID + "/files/" + f.ID},
		{"DELETE", "/vector_stores/" + vs.ID},
	} {
		var body any
		if r.method == "POST" {
			body = map[string]any{"name": "stolen"}
		}
		if got := e.Do(r.method, r.path, e.B.Bearer(), body); got.Status != http.StatusNotFound {
			t.Errorf("B: %s %s = %d %s", r.method, r.path, got.Status, got.Body)
		}
	}
	// B cannot add A's file to its own store, nor create a store with it.
	wantError(t, e.Do("POST", "/vector_stores/"+mine.ID+"/files", e.B.Bearer(), map[string]any{"file_id": f.ID}), http.StatusNotFound, f.ID)
	wantError(t, e.Do("POST", "/vector_stores", e.B.Bearer(), map[string]any{"file_ids": []string{f.ID}}), http.StatusNotFound, f.ID)
	var stores list[vectorStore]
	ok(t, e.Do("GET", "/vector_stores", e.B.Bearer(), nil), &stores)
	if len(stores.Data) != 1 || stores.Data[0].ID != mine.ID {
		t.Errorf("B's list %+v", stores)
	}
	var files list[file]
	ok(t, e.Do("GET", "/files", e.B.Bearer(), nil), &files)
	if len(files.Data) != 0 {
		t.Errorf("B's files %+v", files)
	}
	// A's store is untouched.
	var got vectorStore
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.Name != "A's" || got.FileCount != 1 || got.Status != "ready" {
		t.Errorf("A's store after B's attempts %+v", got)
	}
}

func TestVectorStoreErrors(t *testing.T) {
	e := newEnv(t)
	f := uploadText(t, e, e.A, "a.txt", refunds)
	vs := createStore(t, e, e.A, map[string]any{"name": "Taken"})
	other := createStore(t, e, e.A, map[string]any{"name": "Other"})
	json := "application/json"
	tests := []struct {
		name, method, path, body string
		status                   int
		param                    string
		says                     []string
	}{
		{"create: invalid JSON", "POST", "/vector_stores", `{"name": `, 400, "", []string{"not valid JSON"}},
		{"create: no body", "POST", "/vector_stores", ``, 400, "", []string{"JSON object"}},
		{"create: not an object", "POST", "/vector_stores", `["a"]`, 400, "", []string{"JSON object"}},
		{"create: name not a string", "POST", "/vector_stores", `{"name": 5}`, 400, "", []string{`"name" must be a string`}},
		{"create: two values", "POST", "/vector_stores", `{} {}`, 400, "", []string{"more than one"}},
		{"create: duplicate name", "POST", "/vector_stores", `{"name": "Taken"}`, 409, "", []string{`"Taken"`}},
		{"create: name too long", "POST", "/vector_stores", `{"name": "` + strings.Repeat("я", 257) + `"}`, 422, "name", []string{"257"}},
		{"create: unknown file", "POST", "/vector_stores", `{"name": "New", "file_ids": ["` + f.ID + `", "file-missing"]}`, 404, "", []string{`"file-missing"`}},
		{"create: empty file id", "POST", "/vector_stores", `{"file_ids": [""]}`, 422, "file_ids", nil},
		{"create: bad chunking type", "POST", "/vector_stores", `{"chunking_strategy": {"type": "magic"}}`, 422, "chunking_strategy", []string{`"magic"`}},
		{"create: static without sizes", "POST", "/vector_stores", `{"chunking_strategy": {"type": "static"}}`, 422, "chunking_strategy", []string{"max_chunk_size_tokens"}},
		{"create: chunk too small", "POST", "/vector_stores", `{"chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 10, "chunk_overlap_tokens": 0}}}`, 422, "chunking_strategy", []string{"100 to 4096"}},
		{"create: overlap too large", "POST", "/vector_stores", `{"chunking_strategy": {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 150}}}`, 422, "chunking_strategy", []string{"half"}},
		{"list: bad limit", "GET", "/vector_stores?limit=0", ``, 422, "limit", []string{"1 to 100"}},
		{"list: limit not a number", "GET", "/vector_stores?limit=ten", ``, 422, "limit", nil},
		{"list: bad order", "GET", "/vector_stores?order=up", ``, 422, "order", nil},
		{"list: unknown cursor", "GET", "/vector_stores?after=vs_nope", ``, 422, "after", []string{`"vs_nope"`}},
		{"get: unknown store", "GET", "/vector_stores/vs_nope", ``, 404, "", []string{`"vs_nope"`}},
		{"update: invalid JSON", "POST", "/vector_stores/" + vs.ID, `{name: "x"}`, 400, "", nil},
		{"update: duplicate name", "POST", "/vector_stores/" + other.ID, `{"name": "Taken"}`, 409, "", []string{`"Taken"`}},
		{"update: unknown store", "POST", "/vector_stores/vs_nope", `{"name": "x"}`, 404, "", []string{`"vs_nope"`}},
		{"delete: unknown store", "DELETE", "/vector_stores/vs_nope", ``, 404, "", []string{`"vs_nope"`}},
		{"add file: invalid JSON", "POST", "/vector_stores/" + vs.ID + "/files", `file_id=x`, 400, "", nil},
		{"add file: no file_id", "POST", "/vector_stores/" + vs.ID + "/files", `{}`, 422, "file_id", []string{"file_id is required"}},
		{"add file: file_id not a string", "POST", "/vector_stores/" + vs.ID + "/files", `{"file_id": ["a"]}`, 400, "", []string{`"file_id" must be a string`}},
		{"add file: unknown file", "POST", "/vector_stores/" + vs.ID + "/files", `{"file_id": "file-missing"}`, 404, "", []string{`"file-missing"`, "POST /files"}},
		{"add file: unknown store", "POST", "/vector_stores/vs_nope/files", `{"file_id": "` + f.ID + `"}`, 404, "", []string{`"vs_nope"`}},
		{"list files: unknown store", "GET", "/vector_stores/vs_nope/files", ``, 404, "", []string{`"vs_nope"`}},
		{"list files: bad filter", "GET", "/vector_stores/" + vs.ID + "/files?filter=done", ``, 422, "filter", []string{`"done"`}},
		{"get file: not in the store", "GET", "/vector_stores/" + vs.ID + "/files/" + f.ID, ``, 404, "", []string{f.ID, vs.ID}},
		{"delete file: not in the store", "DELETE", "/vector_stores/" + vs.ID + "/files/" + f.ID, ``, 404, "", []string{f.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, e, tt.method, tt.path, e.A.Bearer(), json, []byte(tt.body), nil)
			got := wantError(t, r, tt.status, tt.says...)
			if got.Error.Param != tt.param {
				t.Errorf("param %q, want %q", got.Error.Param, tt.param)
			}
		})
	}
	t.Run("create: body over 1 MiB", func(t *testing.T) {
		body := `{"name": "` + strings.Repeat("a", 1<<20) + `"}`
		r := send(t, e, "POST", "/vector_stores", e.A.Bearer(), json, []byte(body), nil)
		if got := wantError(t, r, http.StatusRequestEntityTooLarge, "1 MiB"); got.Error.Code != "request_too_large" {
			t.Errorf("code %q, want request_too_large: no file was sent", got.Error.Code)
		}
	})
	// None of the refused creates left a store behind.
	var stores list[vectorStore]
	ok(t, e.Do("GET", "/vector_stores", e.A.Bearer(), nil), &stores)
	if len(stores.Data) != 2 {
		t.Errorf("%d stores after the refused requests, want 2", len(stores.Data))
	}
}

func TestAddFileTwice(t *testing.T) {
	e := newEnv(t)
	f := uploadText(t, e, e.A, "a.txt", refunds)
	vs := createStore(t, e, e.A, map[string]any{"name": "S"})
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID+"/files", e.A.Bearer(), map[string]any{"file_id": f.ID}), &storeFile{})
	first := waitFile(t, e, e.A, vs.ID, f.ID)
	var again storeFile
	ok(t, e.Do("POST", "/vector_stores/"+vs.ID+"/files", e.A.Bearer(), map[string]any{"file_id": f.ID}), &again)
	if again != first {
		t.Errorf("adding again: %+v, want %+v", again, first)
	}
	var got vectorStore
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.FileCount != 1 {
		t.Errorf("file_count %d after adding a file twice", got.FileCount)
	}
}

// TestChunkingStrategy: a static strategy in tokens is kept as characters
// (4 a token) and cuts a document into chunks of that size.
func TestChunkingStrategy(t *testing.T) {
	e := newEnv(t)
	text := strings.Repeat("Parley keeps every dialog durable across restarts. ", 40) // ~2000 characters
	f := uploadText(t, e, e.A, "long.txt", text)
	vs := createStore(t, e, e.A, map[string]any{"file_ids": []string{f.ID},
		"chunking_strategy": map[string]any{"type": "static", "static": map[string]any{"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 20}}})
	if vs.Name != "" {
		t.Errorf("a store created without a name is named %q", vs.Name)
	}
	waitFile(t, e, e.A, vs.ID, f.ID)
	stored, err := e.Store.VectorStore(t.Context(), e.A.ID, vs.ID)
	if err != nil || stored.ChunkSize != 400 || stored.ChunkOverlap != 80 {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	chunks, err := e.Store.Chunks(t.Context(), e.A.ID, []int64{stored.ID})
	if err != nil || len(chunks) < 5 {
		t.Fatalf("%d chunks, %v; want 5 or more of 400 characters", len(chunks), err)
	}
	for _, c := range chunks {
		if n := len([]rune(c.Text)); n > 400 {
			t.Errorf("chunk %d has %d characters", c.Seq, n)
		}
	}
	auto := createStore(t, e, e.A, map[string]any{"name": "auto", "chunking_strategy": map[string]any{"type": "auto"}})
	if stored, _ := e.Store.VectorStore(t.Context(), e.A.ID, auto.ID); stored.ChunkSize != 0 {
		t.Errorf("auto kept chunk size %d, want the default (0)", stored.ChunkSize)
	}
}

func TestPagination(t *testing.T) {
	e := newEnv(t)
	var ids []string // oldest first
	for _, name := range []string{"one", "two", "three"} {
		ids = append(ids, createStore(t, e, e.A, map[string]any{"name": name}).ID)
	}
	page := func(query string) list[vectorStore] {
		t.Helper()
		var l list[vectorStore]
		ok(t, e.Do("GET", "/vector_stores"+query, e.A.Bearer(), nil), &l)
		return l
	}
	names := func(l list[vectorStore]) string {
		var out []string
		for _, v := range l.Data {
			out = append(out, v.Name)
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		query, want string
		more        bool
	}{
		{"", "three,two,one", false},
		{"?limit=2", "three,two", true},
		{"?limit=2&after=" + ids[1], "one", false},
		{"?order=asc", "one,two,three", false},
		{"?order=asc&limit=1&after=" + ids[0], "two", true},
		{"?before=" + ids[0] + "&limit=1", "two", true},
		{"?before=" + ids[2], "", false},
	}
	for _, tt := range tests {
		l := page(tt.query)
		if got := names(l); got != tt.want || l.HasMore != tt.more {
			t.Errorf("%s: %s (has_more %v), want %s (%v)", tt.query, got, l.HasMore, tt.want, tt.more)
		}
		if len(l.Data) > 0 && (*l.FirstID != l.Data[0].ID || *l.LastID != l.Data[len(l.Data)-1].ID) {
			t.Errorf("%s: first_id %s, last_id %s", tt.query, *l.FirstID, *l.LastID)
		}
	}
}

// TestPollHelper: the openai SDK's polling helpers, which stop only on
// OpenAI's status names, get those names.
func TestPollHelper(t *testing.T) {
	e := newEnv(t)
	f := uploadText(t, e, e.A, "a.txt", refunds)
	vs := createStore(t, e, e.A, map[string]any{"file_ids": []string{f.ID}})
	waitFile(t, e, e.A, vs.ID, f.ID)
	r := send(t, e, "GET", "/vector_stores/"+vs.ID+"/files/"+f.ID, e.A.Bearer(), "", nil, map[string]string{"X-Stainless-Poll-Helper": "true"})
	var sf storeFile
	ok(t, r, &sf)
	if sf.Status != "completed" || r.Header.Get("openai-poll-after-ms") == "" {
		t.Errorf("for the poll helper: status %q, openai-poll-after-ms %q", sf.Status, r.Header.Get("openai-poll-after-ms"))
	}
}

// TestListAndDeleteUploads: GET /files lists the project's uploads in
// pages, by purpose; DELETE /files/:id takes a file out of every store
// (searches no longer find it) and then 404s.
func TestListAndDeleteUploads(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	kept := uploadText(t, e, e.A, "kept.txt", "Parcels ship within two days of the order.")
	gone := uploadText(t, e, e.A, "refunds.txt", refunds)
	var batch file
	ok(t, upload(t, e, e.A.Bearer(), "batch.jsonl", "application/jsonl", []byte("{}\n"), "batch"), &batch)

	var files list[file]
	ok(t, e.Do("GET", "/files", e.A.Bearer(), nil), &files)
	if got := fileIDs(files); got != batch.ID+","+gone.ID+","+kept.ID || files.Object != "list" || files.HasMore {
		t.Errorf("files %s, want newest first", got)
	}
	ok(t, e.Do("GET", "/files?purpose=assistants&limit=1", e.A.Bearer(), nil), &files)
	if got := fileIDs(files); got != gone.ID || !files.HasMore || *files.FirstID != gone.ID {
		t.Errorf("first page of assistants files: %s (has_more %v)", got, files.HasMore)
	}
	ok(t, e.Do("GET", "/files?purpose=assistants&after="+gone.ID, e.A.Bearer(), nil), &files)
	if got := fileIDs(files); got != kept.ID || files.HasMore {
		t.Errorf("second page: %s", got)
	}
	wantError(t, e.Do("GET", "/files?purpose=cats", e.A.Bearer(), nil), http.StatusUnprocessableEntity, "cats")
	wantError(t, e.Do("GET", "/files?after=file-nope", e.A.Bearer(), nil), http.StatusUnprocessableEntity, "after")

	vs := createStore(t, e, e.A, map[string]any{"name": "Help", "file_ids": []string{kept.ID, gone.ID}})
	waitFile(t, e, e.A, vs.ID, kept.ID)
	waitFile(t, e, e.A, vs.ID, gone.ID)
	var del deleted
	ok(t, e.Do("DELETE", "/files/"+gone.ID, e.A.Bearer(), nil), &del)
	if del != (deleted{ID: gone.ID, Object: "file", Deleted: true}) {
		t.Errorf("deleted %+v", del)
	}
	wantError(t, e.Do("GET", "/files/"+gone.ID, e.A.Bearer(), nil), http.StatusNotFound, gone.ID)
	wantError(t, e.Do("DELETE", "/files/"+gone.ID, e.A.Bearer(), nil), http.StatusNotFound, gone.ID)
	wantError(t, e.Do("GET", "/vector_stores/"+vs.ID+"/files/"+gone.ID, e.A.Bearer(), nil), http.StatusNotFound, gone.ID)
	var got vectorStore
	ok(t, e.Do("GET", "/vector_stores/"+vs.ID, e.A.Bearer(), nil), &got)
	if got.FileCount != 1 || got.Status != "ready" {
		t.Errorf("the store after the delete %+v", got)
	}
	hits, err := e.Knowledge.Search(ctx, e.A.ID, []string{vs.ID}, "How many days to return an item for a refund?", 4, -1)
	if err != nil || len(hits) == 0 {
		t.Fatalf("search: %+v, %v", hits, err)
	}
	for _, h := range hits {
		if h.Document == gone.ID {
			t.Errorf("a search found the deleted file: %+v", h)
		}
	}
}

func fileIDs(l list[file]) string {
	var ids []string
	for _, f := range l.Data {
		ids = append(ids, f.ID)
	}
	return strings.Join(ids, ",")
}
