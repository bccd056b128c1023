package dialogs

import (
	"context"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/store"
)

// SaveDraft stores a bot file being edited as the draft of the project's
// bot slug (see store.Drafts: ifMatch guards against overwriting another
// editor's save) and returns it with the problems the file has now: a
// draft may be broken, and only Publish refuses errors. A new draft
// remembers the version it was begun from. EINVALID for a file over
// flows.MaxFileSize.
func (s *Service) SaveDraft(ctx context.Context, projectID int64, slug, source, author, ifMatch string) (*store.Draft, flows.Problems, error) {
	if len(source) > flows.MaxFileSize {
		return nil, nil, store.Errorf(store.EINVALID, "The draft is %d bytes; a bot file holds at most %d.", len(source), flows.MaxFileSize)
	}
	base := 0
	bot, err := s.Store.Bot(ctx, projectID, slug)
	switch {
	case err == nil:
		base = bot.CurrentVersion
	case store.ErrorCode(err) != store.ENOTFOUND:
		return nil, nil, err
	}
	d := &store.Draft{ProjectID: projectID, Slug: slug, Source: source, BaseVersion: base, Author: author}
	if err := s.Store.SaveDraft(ctx, d, ifMatch); err != nil {
		return nil, nil, err
	}
	_, problems := check(slug, source)
	return d, problems, nil
}

// DraftProblems are the problems of a stored draft, as SaveDraft answered.
func DraftProblems(d *store.Draft) flows.Problems {
	_, problems := check(d.Slug, d.Source)
	return problems
}

// PublishDraft publishes the project's draft of bot slug as the bot's next
// version (see Publish: a *FlowError for a draft with errors) and then
// deletes the draft, unless someone saved it again meanwhile. ifMatch, when
// not "", is the checksum of the draft the caller means: ECONFLICT if the
// draft is another.
func (s *Service) PublishDraft(ctx context.Context, projectID int64, slug, author, ifMatch string) (*store.Published, error) {
	d, err := s.Store.Draft(ctx, projectID, slug)
	if err != nil {
		return nil, err
	}
	if ifMatch != "" && ifMatch != d.Checksum {
		return nil, store.Errorf(store.ECONFLICT, "The draft of %s changed since you opened it; load it again before publishing.", slug)
	}
	pub, err := s.Publish(ctx, projectID, slug, d.Source, author)
	if err != nil {
		return nil, err
	}
	if err := s.Store.DeleteDraft(ctx, projectID, slug, d.Checksum); err != nil && store.ErrorCode(err) == store.EINTERNAL {
		s.log().Warn("a published draft was not deleted", "bot", slug, "error", err)
	}
	return pub, nil
}

// SourceTest marks the dialogs an author has with a draft (and the test
// chat of the editor): they run the draft as it was when they started,
// and draft replays leave them out.
const SourceTest = engine.SourceTest

// TestDraft starts a test dialog with the draft of a published bot: it
// runs the draft's file (version 0) as it is now, so an author can talk to
// a change before publishing it. A *FlowError for a draft with errors;
// ENOTFOUND without a draft, or for a bot never published (publish it
// once first).
func (s *Service) TestDraft(ctx context.Context, projectID int64, slug string, in CreateInput) (*store.Dialog, *Turn, error) {
	d, err := s.Store.Draft(ctx, projectID, slug)
	if err != nil {
		return nil, nil, err
	}
	if errs := DraftProblems(d).Errors(); len(errs) > 0 {
		return nil, nil, &FlowError{Problems: errs}
	}
	bot, err := s.Store.Bot(ctx, projectID, slug)
	if err != nil {
		if store.ErrorCode(err) == store.ENOTFOUND {
			return nil, nil, store.Errorf(store.ENOTFOUND, "Bot %s has never been published; publish it once to talk to its drafts.", slug)
		}
		return nil, nil, err
	}
	in.Source = SourceTest
	return s.create(ctx, projectID, engine.FlowRef{BotID: bot.ID, Slug: bot.Slug, Version: 0, Source: d.Source}, in)
}
