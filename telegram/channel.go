package telegram

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// Environment variables the channel reads.
const (
	EnvAPIURL    = "PARLEY_TELEGRAM_API_URL" // the Bot API's base URL
	EnvPublicURL = "PARLEY_PUBLIC_URL"       // set: updates come by webhook; unset: by long polling
)

// SecretHeader carries a webhook's secret token on each of Telegram's calls.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// Channel connects Telegram integrations to their bots. It is safe for
// concurrent use.
type Channel struct {
	Store   store.Store
	Dialogs *dialogs.Service
	Secrets *secretbox.Box // opens the integrations' auth_data
	APIURL  string         // DefaultAPIURL when empty
	// PublicURL is where Telegram reaches this server's webhook route;
	// empty: updates are long-polled.
	PublicURL string
	HTTP      *http.Client
	Logger    *slog.Logger
	// MaxFile is the largest file taken from a user, in bytes; 0 means
	// dialogs.DefaultMaxUpload. Never more than MaxDownload.
	MaxFile int64
	// FileLink is the URL a dialog keeps for a user's file; nil means the
	// native API's, PublicURL/v1/files/<id> (relative without PublicURL).
	FileLink func(fileID int64) string
	// ChatInterval is the least time between two sends to one chat; 0
	// means one second, Telegram's limit. Tests make it short.
	ChatInterval time.Duration
}

// FromEnv returns a Channel whose API and public URLs come from
// PARLEY_TELEGRAM_API_URL and PARLEY_PUBLIC_URL.
func FromEnv(db store.Store, svc *dialogs.Service, secrets *secretbox.Box, l *slog.Logger) *Channel {
	return &Channel{Store: db, Dialogs: svc, Secrets: secrets, APIURL: os.Getenv(EnvAPIURL),
		PublicURL: strings.TrimSuffix(os.Getenv(EnvPublicURL), "/"), Logger: l}
}

func (ch *Channel) log() *slog.Logger {
	if ch.Logger == nil {
		return slog.Default()
	}
	return ch.Logger
}

// Client returns a Bot API client for token.
func (ch *Channel) Client(token string) *Client {
	return &Client{BaseURL: ch.APIURL, Token: token, HTTP: ch.HTTP}
}

// Token opens an integration's auth_data and returns its bot token;
// EINVALID if it has none.
func (ch *Channel) Token(in *store.Integration) (string, error) {
	if ch.Secrets == nil {
		return "", store.Errorf(store.EINVALID, "This server cannot read integration credentials: set %s and restart it.", secretbox.EnvKey)
	}
	plain, err := ch.Secrets.Open(in.AuthData)
	if err != nil {
		return "", fmt.Errorf("opening integration %s's credentials: %w", in.UUID, err)
	}
	var auth struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(plain), &auth); err != nil || auth.Token == "" {
		return "", store.FieldErrorf(store.EINVALID, "auth_data.token", "A Telegram integration needs auth_data.token, the token @BotFather gave the bot.")
	}
	return auth.Token, nil
}

// WebhookPath is the route Telegram posts an integration's updates to.
func WebhookPath(integrationUUID string) string {
	return "/integrations/" + integrationUUID + "/telegram/webhook"
}

// WebhookSecret is the secret_token of an integration's webhook: an HMAC
// of its UUID under the bot token, so it needs no storage of its own and
// changes with the token.
func WebhookSecret(token, integrationUUID string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("parley telegram webhook " + integrationUUID))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckSecret reports whether a webhook call's secret header is the
// integration's.
func CheckSecret(token, integrationUUID, got string) bool {
	return hmac.Equal([]byte(got), []byte(WebhookSecret(token, integrationUUID)))
}

// chatOf is the integration's chat updates go to: its oldest active one;
// nil when it has none.
func (ch *Channel) chatOf(ctx context.Context, in *store.Integration) (*store.Channel, error) {
	chats, err := ch.Store.IntegrationChannels(ctx, in.ProjectID, in.ID)
	if err != nil {
		return nil, err
	}
	for i := range chats {
		if chats[i].Status == store.ChannelActive {
			return &chats[i], nil
		}
	}
	return nil, nil
}

// HandleUpdate sends a Telegram user's message (its text, or its file
// with the caption as text), or the text of the button they tapped, to
// their thread in the integration's chat, creating it if they have none
// running. An update of neither kind, or of an integration with no active
// chat, is ignored. Handling the same update twice sends it once.
func (ch *Channel) HandleUpdate(ctx context.Context, in *store.Integration, token string, u Update) error {
	var text, mimeType string
	var from *User
	var chat Chat
	var media *Media
	switch {
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if err := ch.Client(token).AnswerCallbackQuery(ctx, q.ID); err != nil {
			ch.log().Warn("answering a telegram button tap", "integration", in.UUID, "error", err)
		}
		if q.Message == nil {
			return nil
		}
		text, from, chat = ButtonText(q), &q.From, q.Message.Chat
	case u.Message != nil && u.Message.From != nil:
		text, from, chat = u.Message.Text, u.Message.From, u.Message.Chat
		if text == "" {
			text = u.Message.Caption
		}
		media, mimeType = u.Message.Media()
	}
	if from == nil || from.IsBot || (strings.TrimSpace(text) == "" && media == nil) {
		return nil
	}
	target, err := ch.chatOf(ctx, in)
	if err != nil || target == nil {
		return err
	}
	chatID := strconv.FormatInt(chat.ID, 10)
	d, fresh, err := ch.thread(ctx, target, chatID, from)
	if err != nil {
		return err
	}
	clientID := "tg-" + strconv.FormatInt(u.UpdateID, 10)
	switch {
	case media != nil:
		return ch.receiveFile(ctx, d, ch.Client(token), chatID, incoming{Media: media, MIMEType: mimeType, Caption: text, ClientID: clientID})
	case fresh && text == "/start": // Telegram's first message: the greeting is the answer
		return nil
	}
	_, err = ch.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: text, ClientMessageID: clientID})
	return err
}

// thread is the user's running thread of the chat, or a new one (fresh).
func (ch *Channel) thread(ctx context.Context, target *store.Channel, chatID string, from *User) (d *store.Dialog, fresh bool, err error) {
	d, err = ch.Store.DialogByExternalID(ctx, target.ProjectID, target.ID, chatID)
	if err != nil && store.ErrorCode(err) != store.ENOTFOUND {
		return nil, false, err
	}
	if d != nil && !ended(d.Status) {
		return d, false, nil
	}
	bot, err := ch.Store.BotByID(ctx, target.ProjectID, target.BotID)
	if err != nil {
		return nil, false, err
	}
	user := map[string]any{"id": "telegram:" + strconv.FormatInt(from.ID, 10), "name": from.Name(), "external_id": chatID}
	if from.Username != "" {
		user["username"] = from.Username
	}
	in := dialogs.CreateInput{Start: true, Source: "telegram", ChannelID: target.ID, ExternalID: chatID, User: user}
	d, _, err = ch.Dialogs.Create(ctx, target.ProjectID, bot.Slug, in)
	return d, err == nil, err
}

func ended(status string) bool {
	return status == store.StatusCompleted || status == store.StatusInterrupted || status == store.StatusError
}

// AuthLost marks an integration whose token Telegram refused in error,
// with its integration.auth_lost event.
func (ch *Channel) AuthLost(ctx context.Context, in *store.Integration, cause error) {
	lost, err := ch.Store.IntegrationAuthLost(ctx, in.ProjectID, in.ID, cause.Error())
	if err != nil {
		ch.log().Error("marking a telegram integration's token lost", "integration", in.UUID, "error", err)
		return
	}
	if lost {
		ch.log().Warn("telegram refused an integration's token; it is now in error", "integration", in.UUID, "error", cause)
	}
}
