package dialogs

import (
	"context"
	"errors"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows/botflow"
	"github.com/parleyhq/parley/store"
)

// The settings forms of the compatible APIs (a Worken bot, a ReplyX
// assistant) make and change bots without a flow author: a new bot is
// botflow.New's one llm node, and a change is a new version of the YAML
// with only the changed entries rewritten.

// FreeSlug is botflow.Slug(name), with "-2", "-3", ... when the project
// has it.
func (s *Service) FreeSlug(ctx context.Context, projectID int64, name string) (string, error) {
	base := botflow.Slug(name)
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			slug = base + "-" + strconv.Itoa(i)
		}
		_, err := s.Store.Bot(ctx, projectID, slug)
		if store.ErrorCode(err) == store.ENOTFOUND {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// PublishNew publishes the first version of a new bot named name, whose
// source source makes for a free slug.
func (s *Service) PublishNew(ctx context.Context, projectID int64, name, author string, source func(slug string) (string, error)) (*store.Published, error) {
	slug, err := s.FreeSlug(ctx, projectID, name)
	if err != nil {
		return nil, err
	}
	src, err := source(slug)
	if err != nil {
		return nil, err
	}
	return s.publishEdit(ctx, projectID, slug, src, author)
}

// EditBot publishes b's current flow as changed by edit (botflow.Edit) and
// returns the new source. A change that would make the flow invalid is
// EINVALID with its first problem.
func (s *Service) EditBot(ctx context.Context, b *store.Bot, author string, edit func(root *yaml.Node) error) (*store.Published, string, error) {
	v, err := s.Store.FlowVersion(ctx, b.ID, b.CurrentVersion)
	if err != nil {
		return nil, "", err
	}
	src, err := botflow.Edit(v.Source, edit)
	if err != nil {
		return nil, "", err
	}
	out, err := s.publishEdit(ctx, b.ProjectID, b.Slug, src, author)
	return out, src, err
}

func (s *Service) publishEdit(ctx context.Context, projectID int64, slug, src, author string) (*store.Published, error) {
	out, err := s.Publish(ctx, projectID, slug, src, author)
	if fe := (*FlowError)(nil); errors.As(err, &fe) {
		return nil, store.Errorf(store.EINVALID, "The change would make the bot's flow invalid: %s.", fe.Problems[0].Message)
	}
	return out, err
}

// DeleteBot takes b out of every list and lookup; a bulk action (a
// durable workflow) ends its running dialogs as interrupted, keeping their
// history.
func (s *Service) DeleteBot(ctx context.Context, b *store.Bot) error {
	f := store.DialogFilter{BotID: b.ID, Live: true}
	if _, err := s.StartBulk(ctx, b.ProjectID, f, BulkAction{Action: BulkInterrupt}); err != nil {
		return err
	}
	return s.Store.DeleteBot(ctx, b.ProjectID, b.ID)
}
