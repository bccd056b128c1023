package dialogs_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

const twoQuestions = `bot: survey
variables:
  name: { type: string }
  city: { type: string }
nodes:
  name:
    kind: question
    text: Your name?
    save: name
    next: city
  city:
    kind: question
    text: Your city?
    save: city
    next: bye
  bye:
    kind: end
    text: Thanks, {{ name }}.
`

// readCounter is the real store, counting the reads of a dialog's row.
type readCounter struct {
	store.Store
	reads atomic.Int64
}

func (r *readCounter) Dialog(ctx context.Context, projectID int64, uuid string) (*store.Dialog, error) {
	r.reads.Add(1)
	return r.Store.Dialog(ctx, projectID, uuid)
}

func (r *readCounter) DialogByID(ctx context.Context, projectID, id int64) (*store.Dialog, error) {
	r.reads.Add(1)
	return r.Store.DialogByID(ctx, projectID, id)
}

func (r *readCounter) DialogByNumber(ctx context.Context, projectID, number int64) (*store.Dialog, error) {
	r.reads.Add(1)
	return r.Store.DialogByNumber(ctx, projectID, number)
}

// newSurvey is a service over a counting store and a started dialog of
// twoQuestions in project A, waiting at `name`.
func newSurvey(t *testing.T) (*servertest.Env, *dialogs.Service, *readCounter, *store.Dialog) {
	t.Helper()
	e := servertest.New(t)
	db := &readCounter{Store: e.Store}
	svc := &dialogs.Service{Store: db, Temporal: e.Temporal}
	ctx := context.Background()
	if _, err := svc.Publish(ctx, e.A.ID, "survey", twoQuestions, "test"); err != nil {
		t.Fatal(err)
	}
	d, _, err := svc.Create(ctx, e.A.ID, "survey", dialogs.CreateInput{Start: true})
	if err != nil {
		t.Fatal(err)
	}
	return e, svc, db, d
}

// TestFindToTalkRemembersTheLastTurn: after a turn, the next message's
// lookup reads no row, by either of the dialog's ids, and finds the
// dialog as the turn left it, its turn acknowledged; another project
// still finds nothing.
func TestFindToTalkRemembersTheLastTurn(t *testing.T) {
	e, svc, db, created := newSurvey(t)
	ctx := context.Background()
	d, err := svc.FindToTalk(ctx, e.A.ID, created.UUID)
	if err != nil {
		t.Fatal(err)
	}
	turn, err := svc.SendMessage(ctx, d, dialogs.Message{Text: "Ann"})
	if err != nil {
		t.Fatal(err)
	}
	before := db.reads.Load()
	for _, id := range []string{created.UUID, strconv.FormatInt(created.Number, 10)} {
		got, err := svc.FindToTalk(ctx, e.A.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Node != "city" || got.StateSeq != turn.State.StateSeq || got.StoredThrough != turn.State.StateSeq {
			t.Errorf("FindToTalk(%s) after the turn: node %q, state %d, stored through %d; want city, %d, %d",
				id, got.Node, got.StateSeq, got.StoredThrough, turn.State.StateSeq, turn.State.StateSeq)
		}
	}
	if n := db.reads.Load() - before; n != 0 {
		t.Errorf("FindToTalk read the dialog's row %d times after its turn; want 0", n)
	}
	if _, err := svc.FindToTalk(ctx, e.B.ID, created.UUID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("another project's FindToTalk: %v, want ENOTFOUND", err)
	}
	stored, err := e.Store.Dialog(ctx, e.A.ID, created.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.StoredThrough != turn.State.StateSeq {
		t.Errorf("the store holds turns through %d; the remembered dialog says %d", stored.StoredThrough, turn.State.StateSeq)
	}
}

// TestFindToTalkForgetsARefusedTurn: a dialog that ended refuses the
// next message with its status, and the lookup after that reads the row.
func TestFindToTalkForgetsARefusedTurn(t *testing.T) {
	e, svc, db, created := newSurvey(t)
	ctx := context.Background()
	for _, text := range []string{"Ann", "Oslo"} {
		d, err := svc.FindToTalk(ctx, e.A.ID, created.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SendMessage(ctx, d, dialogs.Message{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := svc.FindToTalk(ctx, e.A.ID, created.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != store.StatusCompleted {
		t.Fatalf("remembered status %q after the last turn, want %q", d.Status, store.StatusCompleted)
	}
	if _, err := svc.SendMessage(ctx, d, dialogs.Message{Text: "more"}); store.ErrorCode(err) != store.ECONFLICT {
		t.Fatalf("a message to an ended dialog: %v, want ECONFLICT", err)
	}
	before := db.reads.Load()
	if _, err := svc.FindToTalk(ctx, e.A.ID, created.UUID); err != nil {
		t.Fatal(err)
	}
	if db.reads.Load() == before {
		t.Error("FindToTalk after a refused turn did not read the dialog's row")
	}
}
