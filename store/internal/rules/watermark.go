package rules

import "context"

// Watermark is how far a dialog's turns are known stored, kept on the
// dialog's row: every turn up to Through is stored (store.DialogState's
// StoredThrough), and turns stored out of order above it are remembered
// (the dialog_turns table) until the gap below them closes. Ahead is the
// greatest turn ever remembered: remembered turns lie in (Through, Ahead],
// so there are some exactly when Ahead > Through, and a turn stored in
// order, the common case, need not look for any.
type Watermark struct {
	Through int64
	Ahead   int64
}

// Remembered is a store's table of turns stored out of order, in the
// transaction that stores a turn, which holds the dialog's row.
type Remembered interface {
	// Remember records turn seq of the dialog; recording it again is a no-op.
	Remember(ctx context.Context, dialogID, seq int64) error
	// Remembered lists the dialog's remembered turns in ascending order.
	Remembered(ctx context.Context, dialogID int64) ([]int64, error)
	// Forget drops the dialog's remembered turns up to through.
	Forget(ctx context.Context, dialogID, through int64) error
}

// Store returns the dialog's watermark after its turn seq was stored (all
// turns up to seq if through), reading and writing the remembered turns in
// r as needed; see store.Store's SaveTurn for the rule. Storing the same
// turn again returns the same watermark.
func (w Watermark) Store(ctx context.Context, r Remembered, dialogID, seq int64, through bool) (Watermark, error) {
	next := w
	switch {
	case through:
		next.Through = max(w.Through, seq)
	case seq <= w.Through:
		// Stored before, as far as the watermark goes.
	case seq == w.Through+1:
		next.Through = seq
	default:
		if err := r.Remember(ctx, dialogID, seq); err != nil {
			return w, err
		}
		next.Ahead = max(w.Ahead, seq)
		return next, nil
	}
	if next.Through == w.Through || w.Ahead <= w.Through {
		return next, nil // no change, or nothing remembered
	}
	seqs, err := r.Remembered(ctx, dialogID)
	if err != nil {
		return w, err
	}
	next.Through = Absorb(next.Through, seqs)
	if err := r.Forget(ctx, dialogID, next.Through); err != nil {
		return w, err
	}
	return next, nil
}

// Absorb returns through raised over the turns of seqs (ascending) that
// follow it without a gap; turns up to through are skipped.
func Absorb(through int64, seqs []int64) int64 {
	for _, s := range seqs {
		switch {
		case s <= through:
		case s == through+1:
			through = s
		default:
			return through
		}
	}
	return through
}
