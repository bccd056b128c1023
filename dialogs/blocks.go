package dialogs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// errTokenRefused is the one answer for every block token that cannot
// act: unknown, expired, completed, of another attempt or of a finished
// dialog. Saying which would tell a guesser too much.
var errTokenRefused = store.Errorf(store.EFORBIDDEN, "The token is not valid for a running block.")

// ServiceMessage is what a block's service sends into the dialog.
type ServiceMessage struct {
	Text   string
	Typing bool
	// ClientMessageID, when set, makes retries of the same message
	// idempotent: stored once, a retry gets the first message back.
	ClientMessageID string
}

// BlockMessage adds a message from a block's service to the dialog while
// the block runs, and returns it. EFORBIDDEN for a token that is not a
// running block's; EINVALID for an empty text.
func (s *Service) BlockMessage(ctx context.Context, token string, m ServiceMessage) (*store.Message, error) {
	if strings.TrimSpace(m.Text) == "" {
		return nil, store.FieldErrorf(store.EINVALID, "text", "The message text is empty; send some text.")
	}
	tok, d, err := s.liveBlock(ctx, token)
	if err != nil {
		return nil, err
	}
	updateID, err := clientUpdateID(fmt.Sprintf("block-msg-%s-%d-", tok.Node, tok.Attempt), m.ClientMessageID)
	if err != nil {
		return nil, err
	}
	in := engine.BlockMessageInput{Node: tok.Node, Attempt: tok.Attempt, Text: m.Text, Typing: m.Typing, ClientMessageID: m.ClientMessageID}
	turn, err := s.update(ctx, d, engine.UpdateBlockMessage, updateID, in)
	if err != nil {
		return nil, refusedToken(err)
	}
	if len(turn.Messages) == 0 {
		return nil, errTokenRefused
	}
	return &turn.Messages[len(turn.Messages)-1], nil
}

// CompleteBlock ends a running block with its service's data; the dialog
// goes on. It works once per token: EFORBIDDEN for a token that is not a
// running block's, a second call included.
func (s *Service) CompleteBlock(ctx context.Context, token string, data any) error {
	tok, d, err := s.liveBlock(ctx, token)
	if err != nil {
		return err
	}
	in := engine.BlockCompleteInput{Node: tok.Node, Attempt: tok.Attempt, Data: data}
	if _, err := s.update(ctx, d, engine.UpdateBlockComplete, "", in); err != nil {
		return refusedToken(err)
	}
	// The workflow accepts one completion per attempt; marking the token
	// too refuses a retry before it reaches the workflow.
	if err := s.Store.CompleteBlockToken(ctx, tok.ID); err != nil && store.ErrorCode(err) != store.EFORBIDDEN {
		return err
	}
	return nil
}

// liveBlock finds a token's block and dialog; anything that is not a
// running block of a live dialog is EFORBIDDEN.
func (s *Service) liveBlock(ctx context.Context, token string) (*store.BlockToken, *store.Dialog, error) {
	if token == "" {
		return nil, nil, store.FieldErrorf(store.EINVALID, "token", "The block token is missing; send the token the block's call carried.")
	}
	tok, err := s.Store.BlockTokenByToken(ctx, token)
	if err != nil {
		return nil, nil, refusedToken(err)
	}
	if tok.CompletedAt != nil || !time.Now().Before(tok.ExpiresAt) {
		return nil, nil, errTokenRefused
	}
	d, err := s.Store.DialogByID(ctx, tok.ProjectID, tok.DialogID)
	if err != nil {
		return nil, nil, refusedToken(err)
	}
	return tok, d, nil
}

// refusedToken turns "not running" (the workflow's) and "no such token or
// dialog" (the store's) into EFORBIDDEN; other errors stay as they are.
func refusedToken(err error) error {
	switch store.ErrorCode(err) {
	case store.ECONFLICT, store.ENOTFOUND, store.EFORBIDDEN:
		return errTokenRefused
	}
	return err
}
