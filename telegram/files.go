package telegram

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode/utf16"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/store"
)

// incoming is a file a user sent, with the message's caption.
type incoming struct {
	Media    *Media
	MIMEType string // when Telegram names none; "" sniffs the content
	Caption  string
	ClientID string // makes a second handling of the update a no-op
}

// maxFile is the largest file taken from a user.
func (ch *Channel) maxFile() int64 {
	return min(cmp.Or(ch.MaxFile, dialogs.DefaultMaxUpload), MaxDownload)
}

func (ch *Channel) fileLink(id int64) string {
	if ch.FileLink != nil {
		return ch.FileLink(id)
	}
	return fmt.Sprintf("%s/v1/files/%d", ch.PublicURL, id)
}

// receiveFile downloads a user's file from Telegram and sends it into the
// dialog as their message, through the use case the widget's and the
// native API's uploads use: the answer to a file question. A file over
// the limit, one the waiting question does not take, or one Telegram
// will not hand over is refused with a reply in the chat.
func (ch *Channel) receiveFile(ctx context.Context, d *store.Dialog, client *Client, chatID string, in incoming) error {
	limit := ch.maxFile()
	if in.Media.FileSize > limit {
		return ch.refuseFile(ctx, client, chatID, tooLarge(limit), nil)
	}
	f, err := client.GetFile(ctx, in.Media.FileID)
	if err == nil && f.FileSize > limit {
		return ch.refuseFile(ctx, client, chatID, tooLarge(limit), nil)
	}
	var body io.ReadCloser
	if err == nil {
		body, err = client.Download(ctx, f.FilePath)
	}
	var api *APIError
	if errors.As(err, &api) { // Telegram's answer: trying again would get the same
		return ch.refuseFile(ctx, client, chatID, "Sorry, I could not get that file from Telegram. Please send it again.", err)
	}
	if err != nil {
		return fmt.Errorf("downloading a telegram file: %w", err)
	}
	defer body.Close()
	up := dialogs.Upload{Name: cmp.Or(in.Media.FileName, path.Base(f.FilePath)), Type: cmp.Or(in.Media.MIMEType, in.MIMEType),
		Body: body, MaxSize: limit, Text: in.Caption, ClientMessageID: in.ClientID, Link: ch.fileLink}
	_, _, err = ch.Dialogs.UploadAnswer(ctx, d, up)
	switch store.ErrorCode(err) {
	case store.ETOOLARGE:
		return ch.refuseFile(ctx, client, chatID, tooLarge(limit), err)
	case store.EUNSUPPORTED:
		msg := strings.TrimSuffix(store.ErrorMessage(err), ".")
		return ch.refuseFile(ctx, client, chatID, "Sorry, I cannot take that file here ("+msg+"). Please send another one.", err)
	}
	return err
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("Sorry, that file is too large: I can take files of up to %d MB.", limit>>20)
}

// refuseFile tells the user why their file was not taken; the update is
// handled.
func (ch *Channel) refuseFile(ctx context.Context, client *Client, chatID, text string, cause error) error {
	ch.log().Info("refusing a telegram user's file", "chat", chatID, "reason", text, "error", cause)
	if err := client.SendMessage(ctx, chatID, text, nil); err != nil {
		ch.log().Warn("telling a telegram user their file was refused", "chat", chatID, "error", err)
	}
	return nil
}

// MaxCaption is the longest caption Telegram takes, in UTF-16 code units.
const MaxCaption = 1024

// fits reports whether text can be a file's caption.
func fits(text string) bool {
	return len(text) <= MaxCaption || len(utf16.Encode([]rune(text))) <= MaxCaption
}

// photoTypes are the types Telegram shows as photos; other files, and
// photos over MaxPhoto, go as documents.
var photoTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// sendFile sends one of the dialog's files to the chat: a photo as one
// (as a document when Telegram refuses the photo, for its dimensions),
// anything else as a document. A file over MaxUpload, or gone, is named
// in a text instead.
func (r *relayer) sendFile(ctx context.Context, pace func(context.Context) error, chatID string, a store.Attachment, caption string, markup *InlineKeyboardMarkup) error {
	if a.URL != "" {
		method, field := sendByKind(a.Kind)
		return r.call(ctx, pace, chatID, func(c *Client) error { return c.SendByURL(ctx, method, field, chatID, a.URL, caption, markup) })
	}
	f, blob, err := r.openFile(ctx, a.ID)
	if store.ErrorCode(err) == store.EINTERNAL {
		return err
	}
	if err != nil {
		r.ch.log().Warn("a file cannot be sent to telegram; sending its name", "integration", r.in.UUID, "file", a.ID, "error", err)
		text := strings.TrimSpace(caption + "\n📎 " + a.Name)
		return r.call(ctx, pace, chatID, func(c *Client) error { return c.SendMessage(ctx, chatID, text, markup) })
	}
	defer blob.Close()
	asPhoto := photoTypes[f.MIMEType] && f.Size <= MaxPhoto
	return r.call(ctx, pace, chatID, func(c *Client) error {
		if _, err := blob.Seek(0, io.SeekStart); err != nil { // a 429 may have read it
			return fmt.Errorf("reading file %d: %w", f.ID, err)
		}
		up := Upload{Name: f.Name, MIMEType: f.MIMEType, Size: f.Size, Body: blob}
		if !asPhoto {
			return c.SendDocument(ctx, chatID, caption, up, markup)
		}
		var api *APIError
		if err := c.SendPhoto(ctx, chatID, caption, up, markup); !errors.As(err, &api) || api.Code != http.StatusBadRequest {
			return err
		}
		asPhoto = false
		if _, err := blob.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("reading file %d: %w", f.ID, err)
		}
		return c.SendDocument(ctx, chatID, caption, up, markup)
	})
}

// sendByKind is the Bot API method, and its file field, for a flow's file
// of a kind: Telegram fetches it from its address.
func sendByKind(kind string) (method, field string) {
	switch kind {
	case "image":
		return "sendPhoto", "photo"
	case "audio":
		return "sendAudio", "audio"
	case "video":
		return "sendVideo", "video"
	}
	return "sendDocument", "document"
}

// openFile opens one of the project's files; an error that is not
// EINTERNAL means it cannot be sent (gone, or too large for Telegram).
func (r *relayer) openFile(ctx context.Context, id int64) (*store.File, *os.File, error) {
	f, err := r.ch.Store.File(ctx, r.in.ProjectID, id)
	if err != nil {
		return nil, nil, err
	}
	if f.Size > MaxUpload {
		return nil, nil, store.Errorf(store.ETOOLARGE, "the file is over Telegram's %d MB", MaxUpload>>20)
	}
	if r.ch.Dialogs.Files == "" {
		return nil, nil, errors.New("sending a file: the dialogs service has no Files directory")
	}
	blob, err := r.ch.Dialogs.Files.Open(f.SHA256)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, store.Errorf(store.ENOTFOUND, "the file's content is gone")
	}
	return f, blob, err
}
