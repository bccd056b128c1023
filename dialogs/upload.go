package dialogs

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// DefaultMaxUpload is the largest file a user may upload unless configured.
const DefaultMaxUpload = 20 << 20

// FileRef is an uploaded file as a dialog sees it: id, name, type, size
// and the URL it is downloaded from.
type FileRef = engine.FileRef

// Upload is a file a user sends into a dialog.
type Upload struct {
	Name string
	// Type is the declared MIME type; when it is empty or
	// application/octet-stream, the type is sniffed from the content.
	Type    string
	Body    io.Reader
	MaxSize int64 // bytes; 0 means DefaultMaxUpload
	// Text is sent with an answer's file; "" shows the file's name.
	Text string
	// Link is where the dialect serves the file with this id.
	Link func(fileID int64) string
	// ClientMessageID, when set, makes retries of the same answer send it
	// once, as Message's does (a retry leaves a second file record).
	ClientMessageID string
}

// UploadAnswer stores a file and sends it into the dialog as the user's
// message: the answer to a file question. ETOOLARGE over MaxSize;
// EUNSUPPORTED for a type the question waiting for it does not accept
// (the workflow decides, from the question it waits at); ECONFLICT if the
// dialog has ended. A file the dialog refuses leaves no record behind.
func (s *Service) UploadAnswer(ctx context.Context, d *store.Dialog, up Upload) (*Turn, *FileRef, error) {
	updateID, err := clientUpdateID("msg-", up.ClientMessageID)
	if err != nil {
		return nil, nil, err
	}
	f, ref, err := s.keepUpload(ctx, d, up)
	if err != nil {
		return nil, nil, err
	}
	in := engine.MessageInput{Text: up.Text, File: ref, ClientMessageID: up.ClientMessageID, StoredThrough: d.StoredThrough}
	turn, err := s.update(ctx, d, engine.UpdateMessage, updateID, in)
	if err != nil {
		s.forget(ctx, f, err)
		return nil, nil, err
	}
	return turn, ref, nil
}

// UploadAttachment stores a file an operator will send with a message
// (OperatorText.Files): one of the dialog's files, with no turn.
// ETOOLARGE over MaxSize.
func (s *Service) UploadAttachment(ctx context.Context, d *store.Dialog, up Upload) (*FileRef, error) {
	_, ref, err := s.keepUpload(ctx, d, up)
	return ref, err
}

// keepUpload stores an upload's bytes and its record as one of the
// dialog's files.
func (s *Service) keepUpload(ctx context.Context, d *store.Dialog, up Upload) (*store.File, *FileRef, error) {
	if s.Files == "" {
		return nil, nil, errors.New("uploading a file: the dialogs service has no Files directory")
	}
	limit := up.MaxSize
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	body := bufio.NewReader(up.Body)
	mimeType := sniffType(up.Type, body)
	sum, size, err := s.Files.Put(body, limit)
	if errors.Is(err, blobs.ErrTooLarge) {
		return nil, nil, store.FieldErrorf(store.ETOOLARGE, "file", "The file is larger than %d MiB; send a smaller one.", limit>>20)
	}
	if err != nil {
		return nil, nil, err
	}
	name := up.Name
	if name == "" {
		name = "file"
	}
	f := &store.File{ProjectID: d.ProjectID, DialogID: d.ID, Name: name, MIMEType: mimeType, Size: size, SHA256: sum}
	if err := s.Store.CreateFile(ctx, f); err != nil {
		return nil, nil, err
	}
	return f, &FileRef{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size, URL: up.Link(f.ID)}, nil
}

// forget deletes the record of a file the dialog refused. After an
// internal error the turn may have run and kept the file, so it stays.
func (s *Service) forget(ctx context.Context, f *store.File, err error) {
	if store.ErrorCode(err) == store.EINTERNAL {
		return
	}
	if derr := s.Store.DeleteFile(context.WithoutCancel(ctx), f.ProjectID, f.ID); derr != nil {
		s.log().Warn("deleting a refused upload's record failed", "file", f.ID, "error", derr)
	}
}

// sniffType is the declared type, or the sniffed one when the client sent
// none or a generic one.
func sniffType(declared string, body *bufio.Reader) string {
	if t, _, err := mime.ParseMediaType(declared); err == nil && t != "application/octet-stream" {
		return t
	}
	head, _ := body.Peek(512)
	t, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	return t
}
