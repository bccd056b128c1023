package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// CreateQA stores a Q&A entry; see store.QAs.
func (d *DB) CreateQA(ctx context.Context, q *store.QA) error {
	c := *q
	c.Question, c.Answer = rules.Clean(strings.TrimSpace(c.Question)), rules.Clean(strings.TrimSpace(c.Answer))
	switch {
	case c.Question == "":
		return store.FieldErrorf(store.EINVALID, "question", "Give the question the entry answers.")
	case c.Answer == "":
		return store.FieldErrorf(store.EINVALID, "answer", "Give the answer to the question.")
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	tags, err := rules.JSON(c.Tags)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	err = d.write(ctx, "creating a Q&A entry", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM vector_stores WHERE id = ? AND project_id = ?`, c.StoreID, c.ProjectID).Scan(&one)
		if err := notFound(err, "Vector store", c.StoreID); err != nil {
			return err
		}
		return t.queryRow(ctx, `INSERT INTO qa_entries (project_id, store_id, question, answer, tags, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, c.ProjectID, c.StoreID, c.Question, c.Answer, tags, d.ts(c.CreatedAt)).Scan(&c.ID)
	})
	if err == nil {
		*q = c
	}
	return err
}

// QAs lists Q&A entries of stores; see store.QAs.
func (d *DB) QAs(ctx context.Context, projectID int64, storeIDs []int64) ([]store.QA, error) {
	if len(storeIDs) == 0 {
		return []store.QA{}, nil
	}
	args := []any{projectID}
	for _, id := range storeIDs {
		args = append(args, id)
	}
	return list(ctx, d, "listing Q&A entries", scanQA, `SELECT id, project_id, store_id, question, answer, tags, created_at
		FROM qa_entries WHERE project_id = ? AND store_id IN (`+marks(len(storeIDs))+`) ORDER BY id`, args...)
}

func scanQA(r scanner, q *store.QA) error {
	var tags string
	if err := r.Scan(&q.ID, &q.ProjectID, &q.StoreID, &q.Question, &q.Answer, &tags, timeScanner{&q.CreatedAt}); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(tags), &q.Tags); err != nil {
		return fmt.Errorf("decoding Q&A entry %d's tags: %w", q.ID, err)
	}
	return nil
}
