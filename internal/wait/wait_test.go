package wait

import (
	"context"
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	start := time.Now()
	if !For(t.Context(), 20*time.Millisecond) {
		t.Fatal("For reported a cancelled context on a live one")
	}
	if took := time.Since(start); took < 20*time.Millisecond {
		t.Errorf("For returned after %s, want at least 20ms", took)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start = time.Now()
	if For(ctx, time.Hour) {
		t.Fatal("For reported true on a cancelled context")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("For on a cancelled context took %s", took)
	}
}
