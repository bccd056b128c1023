package sqldb

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// chunkBatch is how many chunks one INSERT stores: 6 arguments each stay
// far below both databases' limits on a statement's arguments.
const chunkBatch = 200

func scanChunk(r scanner, c *store.Chunk) error {
	var vector []byte
	err := r.Scan(&c.StoreID, &c.DocumentID, &c.Seq, &c.Text, &c.Embedder, &vector, &c.Filename)
	if err != nil {
		return err
	}
	c.Vector, err = rules.DecodeVector(vector)
	return err
}

// ReplaceChunks sets the chunks of one document in one store; see
// store.KnowledgeStore. EINVALID also for a negative or repeated Seq.
// Where rows are locked, the file's row is locked first, so two
// replacements of one document take turns rather than collide.
func (d *DB) ReplaceChunks(ctx context.Context, storeID, documentID int64, chunks []store.Chunk) error {
	if err := rules.CheckChunks(chunks); err != nil {
		return err
	}
	return d.write(ctx, "replacing chunks", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM vector_store_files WHERE store_id = ? AND document_id = ?`+t.lock("FOR NO KEY UPDATE"),
			storeID, documentID).Scan(&one)
		if err != nil {
			return notFound(err, "Vector store file", documentID)
		}
		if _, err := t.exec(ctx, `DELETE FROM chunks WHERE store_id = ? AND document_id = ?`, storeID, documentID); err != nil {
			return err
		}
		for len(chunks) > 0 {
			n := min(len(chunks), chunkBatch)
			if err := t.insertChunks(ctx, storeID, documentID, chunks[:n]); err != nil {
				return err
			}
			chunks = chunks[n:]
		}
		return nil
	})
}

// insertChunks stores chunks in one statement, each row a round trip
// fewer than a statement per chunk.
func (t *tx) insertChunks(ctx context.Context, storeID, documentID int64, chunks []store.Chunk) error {
	args := make([]any, 0, 6*len(chunks))
	for _, c := range chunks {
		args = append(args, storeID, documentID, c.Seq, c.Text, c.Embedder, rules.Vector(c.Vector))
	}
	query := `INSERT INTO chunks (store_id, document_id, seq, text, embedder, vector) VALUES (?, ?, ?, ?, ?, ?)` +
		strings.Repeat(`, (?, ?, ?, ?, ?, ?)`, len(chunks)-1)
	_, err := t.exec(ctx, query, args...)
	return err
}

// Chunks returns every chunk of the given stores of a project, ordered by
// store, document and Seq; stores of other projects are ignored.
func (d *DB) Chunks(ctx context.Context, projectID int64, storeIDs []int64) ([]store.Chunk, error) {
	if len(storeIDs) == 0 {
		return []store.Chunk{}, nil
	}
	args := make([]any, 0, len(storeIDs)+1)
	args = append(args, projectID)
	for _, id := range storeIDs {
		args = append(args, id)
	}
	return list(ctx, d, "listing chunks", scanChunk, `SELECT c.store_id, c.document_id, c.seq, c.text, c.embedder, c.vector, d.name
		FROM chunks c JOIN vector_stores v ON v.id = c.store_id JOIN documents d ON d.id = c.document_id
		WHERE v.project_id = ? AND c.store_id IN (`+marks(len(storeIDs))+`)
		ORDER BY c.store_id, c.document_id, c.seq`, args...)
}
