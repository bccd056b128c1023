package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// Reasons (store.Error.Reason) of the errors of Check and Connect, which
// dialects name with codes of their own.
const (
	ReasonTokenRefused = "telegram_token_refused" // Telegram does not know the token
	ReasonBotInUse     = "telegram_bot_in_use"    // another integration, of any project, has the bot
)

// Check asks Telegram for the bot of token (getMe). A token Telegram
// refuses is EINVALID (field, ReasonTokenRefused); Telegram out of reach
// EUNAVAILABLE, since the token may well be right.
func (ch *Channel) Check(ctx context.Context, token, field string) (*User, error) {
	if strings.TrimSpace(token) == "" {
		return nil, store.FieldErrorf(store.EINVALID, field, "Give the token @BotFather gave the bot, as 123456789:AAH....")
	}
	me, err := ch.Client(token).GetMe(ctx)
	switch {
	case err == nil:
		return me, nil
	case IsUnauthorized(err):
		e := store.FieldErrorf(store.EINVALID, field, "Telegram refused the bot token; copy it again from @BotFather.")
		e.Reason = ReasonTokenRefused
		return nil, e
	}
	return nil, store.Errorf(store.EUNAVAILABLE, "Telegram could not be reached to check the token (%v); try again later.", err)
}

// CheckFree is Check, then refuses (ECONFLICT, ReasonBotInUse) a bot that
// an integration of any project but except has already, as Connect does:
// for a dialect that stores an integration before connecting a channel.
func (ch *Channel) CheckFree(ctx context.Context, projectID int64, token, field string, except *store.Integration) (*User, error) {
	me, err := ch.Check(ctx, token, field)
	if err != nil {
		return nil, err
	}
	return me, ch.refuseTaken(ctx, projectID, me, field, except)
}

// Connected is a Telegram bot made a channel of a Parley bot.
type Connected struct {
	Integration *store.Integration
	Channel     *store.Channel
	Username    string // the Telegram bot's @username, without the @
}

// UsernameSetting is the Settings key of a Telegram integration that keeps
// its bot's username (from getMe), shown without asking Telegram again.
const UsernameSetting = "telegram_username"

// Connect makes the Telegram bot of token a channel of bot: the token is
// checked (Check), refused (ECONFLICT, ReasonBotInUse) when an integration
// of any project has that Telegram bot already, sealed into a new
// integration with one channel, bot's, and the integration's workflow is
// started. me is the token's bot when the caller has Checked it already,
// nil to check it here. field names the token in errors.
func (ch *Channel) Connect(ctx context.Context, bot *store.Bot, token string, me *User, field string) (*Connected, error) {
	return ch.connect(ctx, bot, token, me, field, nil)
}

// Replace connects the Telegram bot of token to bot in place of the
// integration old: the new one is connected first, and old disconnected
// only then, so a token that fails leaves bot with the one it had. The new
// token may be old's bot's own, reissued (Telegram then refuses the old
// token, so removing old's webhook with it does nothing).
func (ch *Channel) Replace(ctx context.Context, bot *store.Bot, old *store.Integration, token string, me *User, field string) (*Connected, error) {
	c, err := ch.connect(ctx, bot, token, me, field, old)
	if err != nil {
		return nil, err
	}
	return c, ch.Disconnect(ctx, old)
}

func (ch *Channel) connect(ctx context.Context, bot *store.Bot, token string, me *User, field string, replacing *store.Integration) (*Connected, error) {
	if me == nil {
		var err error
		if me, err = ch.Check(ctx, token, field); err != nil {
			return nil, err
		}
	}
	if err := ch.refuseTaken(ctx, bot.ProjectID, me, field, replacing); err != nil {
		return nil, err
	}
	if ch.Secrets == nil {
		return nil, store.Errorf(store.EINVALID, "This server cannot keep a Telegram token: set %s (openssl rand -base64 32) and restart it.", secretbox.EnvKey)
	}
	auth, _ := json.Marshal(map[string]string{"token": token})
	sealed, err := ch.Secrets.Seal(string(auth))
	if err != nil {
		return nil, err
	}
	in := &store.Integration{ProjectID: bot.ProjectID, Name: "@" + me.Username, Vendor: "telegram", AuthData: sealed,
		Settings: map[string]any{UsernameSetting: me.Username}}
	if err := ch.Store.CreateIntegration(ctx, in); err != nil {
		return nil, err
	}
	c := &store.Channel{ProjectID: bot.ProjectID, BotID: bot.ID, Kind: store.ChannelTelegram, IntegrationID: in.ID, Name: bot.Name}
	if err := ch.Store.CreateChannel(ctx, c); err != nil {
		ch.forget(in)
		return nil, err
	}
	if err := Start(ctx, ch.Dialogs.Temporal, in); err != nil {
		ch.forget(in)
		return nil, err
	}
	return &Connected{Integration: in, Channel: c, Username: me.Username}, nil
}

// refuseTaken is ECONFLICT when a Telegram integration of any project but
// except has me's bot: Telegram sends a bot's updates to one place only,
// so a second project connecting it would silently take them from the
// first. Another project's integration is not named.
func (ch *Channel) refuseTaken(ctx context.Context, projectID int64, me *User, field string, except *store.Integration) error {
	ins, err := ch.Store.VendorIntegrations(ctx, "telegram")
	if err != nil {
		return err
	}
	for i := range ins {
		if except != nil && ins[i].ID == except.ID {
			continue
		}
		token, err := ch.Token(&ins[i])
		if err != nil {
			continue // an integration without a token has no bot
		}
		if id, _, _ := strings.Cut(token, ":"); id != strconv.FormatInt(me.ID, 10) {
			continue
		}
		e := store.FieldErrorf(store.ECONFLICT, field, "The Telegram bot @%s is connected to another Parley project already; disconnect it there first.", me.Username)
		if ins[i].ProjectID == projectID {
			e.Message = fmt.Sprintf("The Telegram bot @%s is connected already (integration %s); disconnect it there first.", me.Username, ins[i].Name)
		}
		e.Reason = ReasonBotInUse
		return e
	}
	return nil
}

// forget deletes an integration Connect could not finish.
func (ch *Channel) forget(in *store.Integration) {
	if err := ch.Store.DeleteIntegration(context.WithoutCancel(context.Background()), in.ProjectID, in.ID); err != nil {
		ch.log().Warn("deleting a half-made Telegram integration", "integration", in.UUID, "error", err)
	}
}

// Disconnect deletes a Telegram integration: its chats go with it (their
// dialogs stay), its workflow stops and, best effort, its webhook is
// removed from Telegram.
func (ch *Channel) Disconnect(ctx context.Context, in *store.Integration) error {
	if err := ch.Store.DeleteIntegration(ctx, in.ProjectID, in.ID); err != nil {
		return err
	}
	if err := Stop(ctx, ch.Dialogs.Temporal, in.UUID); err != nil {
		ch.log().Warn("stopping a deleted integration", "integration", in.UUID, "error", err)
	}
	if token, err := ch.Token(in); err == nil {
		_ = ch.Client(token).DeleteWebhook(ctx) // best effort: the route refuses its calls now anyway
	}
	return nil
}

// Masked is a bot token as it may be shown: the bot's id and the first
// three characters of the secret, as "1234567890:ABC...".
func Masked(token string) string {
	id, secret, _ := strings.Cut(token, ":")
	return id + ":" + secret[:min(3, len(secret))] + "..."
}
