package rules

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// table is a Remembered in memory that counts its reads.
type table struct {
	seqs  []int64
	reads int
}

func (t *table) Remember(_ context.Context, _, seq int64) error {
	if !slices.Contains(t.seqs, seq) {
		t.seqs = append(t.seqs, seq)
		slices.Sort(t.seqs)
	}
	return nil
}

func (t *table) Remembered(context.Context, int64) ([]int64, error) {
	t.reads++
	return slices.Clone(t.seqs), nil
}

func (t *table) Forget(_ context.Context, _, through int64) error {
	t.seqs = slices.DeleteFunc(t.seqs, func(s int64) bool { return s <= through })
	return nil
}

// TestWatermarkInOrder: turns stored in order never read the table.
func TestWatermarkInOrder(t *testing.T) {
	var tab table
	w := Watermark{Through: 1, Ahead: 1}
	for k := int64(2); k <= 10; k++ {
		var err error
		if w, err = w.Store(t.Context(), &tab, 1, k, k%3 == 0); err != nil {
			t.Fatal(err)
		}
	}
	if w.Through != 10 || tab.reads != 0 || len(tab.seqs) != 0 {
		t.Errorf("watermark %+v, %d reads, remembered %v; want through 10, no reads, nothing remembered", w, tab.reads, tab.seqs)
	}
}

// TestWatermarkModel: over random turns and batches, Through is the
// greatest w with every turn up to w stored, the table holds exactly the
// stored turns above it, all at most Ahead.
func TestWatermarkModel(t *testing.T) {
	for range 200 {
		var tab table
		w := Watermark{Through: 1, Ahead: 1}
		stored := map[int64]bool{1: true}
		for range 20 {
			seq, through := rand.Int64N(15)+1, rand.IntN(5) == 0
			var err error
			if w, err = w.Store(t.Context(), &tab, 1, seq, through); err != nil {
				t.Fatal(err)
			}
			for k := int64(1); k <= seq; k++ {
				if k == seq || through {
					stored[k] = true
				}
			}
			want := int64(0)
			for stored[want+1] {
				want++
			}
			var above []int64
			for k := range stored {
				if k > want {
					above = append(above, k)
				}
			}
			slices.Sort(above)
			if w.Through != want || !slices.Equal(tab.seqs, above) || (len(above) > 0 && above[len(above)-1] > w.Ahead) {
				t.Fatalf("after %d (through %v): watermark %+v, remembered %v; want through %d, remembered %v",
					seq, through, w, tab.seqs, want, above)
			}
		}
	}
}

func TestAbsorb(t *testing.T) {
	for _, c := range []struct {
		through int64
		seqs    []int64
		want    int64
	}{
		{3, nil, 3},
		{3, []int64{5}, 3},
		{3, []int64{4, 5, 7}, 5},
		{3, []int64{1, 3, 4}, 4},
	} {
		if got := Absorb(c.through, c.seqs); got != c.want {
			t.Errorf("Absorb(%d, %v) = %d, want %d", c.through, c.seqs, got, c.want)
		}
	}
}
