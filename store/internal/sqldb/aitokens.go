package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// CreateAIToken stores a provider key; see store.AITokens.
func (d *DB) CreateAIToken(ctx context.Context, t *store.AIToken) error {
	c, err := checkAIToken(*t)
	if err != nil {
		return err
	}
	access, err := rules.JSON(c.ModelAccess)
	if err != nil {
		return err
	}
	c.CreatedAt, c.DailyUsage, c.MonthlyUsage = d.now(), 0, 0
	err = d.write(ctx, "creating an AI token", func(tx *tx) error {
		return tx.queryRow(ctx, `INSERT INTO ai_tokens (name, sealed_token, base_url, model_access, daily_limit,
			monthly_limit, priority, is_active, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Name, c.Sealed, c.BaseURL, access, c.DailyLimit, c.MonthlyLimit, c.Priority, c.Active, c.Notes,
			d.ts(c.CreatedAt)).Scan(&c.ID)
	})
	if err == nil {
		*t = c
	}
	return err
}

// checkAIToken returns t cleaned, with ModelAccess listing each model once
// and never nil, or EINVALID naming the field at fault.
func checkAIToken(t store.AIToken) (store.AIToken, error) {
	t.Name, t.Notes = strings.TrimSpace(rules.Clean(t.Name)), rules.Clean(t.Notes)
	t.BaseURL = strings.TrimSpace(rules.Clean(t.BaseURL))
	switch {
	case t.Name == "":
		return t, store.FieldErrorf(store.EINVALID, "name", "Give the AI token a name, such as \"Primary GPT-4\".")
	case t.Sealed == "":
		return t, store.FieldErrorf(store.EINVALID, "token", "Give the provider's API key, such as sk-....")
	case t.DailyLimit < 0:
		return t, store.FieldErrorf(store.EINVALID, "daily_limit", "daily_limit cannot be negative; use 0 for no limit.")
	case t.MonthlyLimit < 0:
		return t, store.FieldErrorf(store.EINVALID, "monthly_limit", "monthly_limit cannot be negative; use 0 for no limit.")
	case t.Priority < 0:
		return t, store.FieldErrorf(store.EINVALID, "priority", "priority cannot be negative; 1 is tried before 2.")
	}
	if t.BaseURL != "" {
		u, err := url.Parse(t.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return t, store.FieldErrorf(store.EINVALID, "base_url",
				"base_url must be an http(s) URL of an OpenAI-compatible API, such as https://api.openai.com/v1.")
		}
	}
	models := []string{}
	for _, m := range t.ModelAccess {
		m = strings.TrimSpace(rules.Clean(m))
		if m == "" {
			return t, store.FieldErrorf(store.EINVALID, "model_access",
				"A model name in model_access cannot be empty; leave the list empty to allow every model.")
		}
		if !slices.Contains(models, m) {
			models = append(models, m)
		}
	}
	t.ModelAccess = models
	return t, nil
}

// AITokens lists every key with its usage; see store.AITokens.
func (d *DB) AITokens(ctx context.Context, at time.Time) ([]store.AIToken, error) {
	return d.aiTokens(ctx, "listing AI tokens", "", at)
}

// HasActiveAIToken reports whether any key is active; see store.AITokens.
func (d *DB) HasActiveAIToken(ctx context.Context) (bool, error) {
	var found bool
	err := d.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ai_tokens WHERE is_active)`).Scan(&found)
	return found, wrap("looking for an active AI token", err)
}

// UsableAITokens lists the keys that may call model now; see
// store.AITokens. The table is small (an installation's keys), so the
// model and quota are checked here rather than in SQL.
func (d *DB) UsableAITokens(ctx context.Context, model string, at time.Time) ([]store.AIToken, error) {
	all, err := d.aiTokens(ctx, "listing usable AI tokens", "WHERE t.is_active", at)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, t := range all {
		if t.Allows(model) && t.HasQuota() {
			out = append(out, t)
		}
	}
	return out, nil
}

// aiTokens lists the keys matching where, first tried first, with the
// calls each made on at's UTC day and in its month: one query, reading
// only the usage rows of the month through the primary key.
func (d *DB) aiTokens(ctx context.Context, what, where string, at time.Time) ([]store.AIToken, error) {
	day, month := usageDays(at)
	return list(ctx, d, what, scanAIToken, `SELECT t.id, t.name, t.sealed_token, t.base_url, t.model_access,
		t.daily_limit, t.monthly_limit, t.priority, t.is_active, t.notes, t.created_at,
		CAST(COALESCE((SELECT SUM(u.requests) FROM ai_token_usage u WHERE u.token_id = t.id AND u.day = ?), 0) AS BIGINT),
		CAST(COALESCE((SELECT SUM(u.requests) FROM ai_token_usage u WHERE u.token_id = t.id AND u.day BETWEEN ? AND ?), 0) AS BIGINT)
		FROM ai_tokens t `+where+` ORDER BY t.priority, t.id`, day, month, day)
}

// usageDays are the ai_token_usage days of at's UTC day and of the first
// day of its month.
func usageDays(at time.Time) (day, month string) {
	day = at.UTC().Format(time.DateOnly)
	return day, day[:len("2006-01-")] + "01"
}

func scanAIToken(r scanner, t *store.AIToken) error {
	var access string
	if err := r.Scan(&t.ID, &t.Name, &t.Sealed, &t.BaseURL, &access, &t.DailyLimit, &t.MonthlyLimit, &t.Priority,
		&t.Active, &t.Notes, timeScanner{&t.CreatedAt}, &t.DailyUsage, &t.MonthlyUsage); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(access), &t.ModelAccess); err != nil {
		return fmt.Errorf("decoding AI token %d's model_access: %w", t.ID, err)
	}
	return nil
}

// RecordAITokenUse counts a call; see store.AITokens. Concurrent calls add
// up: the upsert takes the row's lock (PostgreSQL) or the one writer
// (SQLite).
func (d *DB) RecordAITokenUse(ctx context.Context, id int64, at time.Time, tokens int) error {
	day, _ := usageDays(at)
	return d.write(ctx, "recording an AI token's use", func(tx *tx) error {
		_, err := tx.exec(ctx, `INSERT INTO ai_token_usage (token_id, day, requests, tokens) VALUES (?, ?, 1, ?)
			ON CONFLICT (token_id, day) DO UPDATE SET requests = ai_token_usage.requests + 1,
			tokens = ai_token_usage.tokens + excluded.tokens`, id, day, max(tokens, 0))
		if d.isForeignKey(err) {
			return rules.NotFound("AI token", id)
		}
		return err
	})
}
