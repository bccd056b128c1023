package server

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/parleyhq/parley/store"
)

// started is when this process started, for the health's uptime.
var started = time.Now()

// SystemHealth is what an administrator sees of the installation: the
// database, Temporal and its workers, the counts and the disk, each
// measured now. A part that does not answer says why in its Error.
type SystemHealth struct {
	Database  DatabaseHealth
	Temporal  TemporalHealth
	Totals    store.Totals
	TotalsErr string
	Uptime    time.Duration // of this process
	Disk      DiskHealth
}

// DatabaseHealth is the database's answer and its connections.
type DatabaseHealth struct {
	Connected bool
	Error     string
	store.PoolStats
}

// TemporalHealth is Temporal's answer and the workers polling Parley's
// task queue: processes running dialogs.
type TemporalHealth struct {
	Connected bool
	Error     string
	Workers   int // distinct worker identities polling the task queue
}

// DiskHealth is the uploads' size and the space left where they are
// kept; Known is false where the platform cannot say (AvailableBytes).
type DiskHealth struct {
	UploadsBytes   int64
	AvailableBytes int64
	Known          bool
	Error          string
}

// Healthy reports whether the database and Temporal answer and a worker
// runs dialogs.
func (h SystemHealth) Healthy() bool {
	return h.Database.Connected && h.Temporal.Connected && h.Temporal.Workers > 0
}

// CheckSystem measures the installation's health, each check bounded by
// readyTimeout.
func CheckSystem(ctx context.Context, d Deps) SystemHealth {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	h := SystemHealth{Uptime: time.Since(started).Truncate(time.Second)}
	h.Database.PoolStats = d.Store.Pool()
	h.Database.Connected = report(d.Store.Ping(ctx), &h.Database.Error)
	if totals, err := d.Store.Totals(ctx); report(err, &h.TotalsErr) {
		h.Totals = totals
	}
	h.Temporal = temporalWorkers(ctx, d)
	h.Disk = diskHealth(string(d.Files))
	return h
}

// report puts err's text into *msg and says whether there was none.
func report(err error, msg *string) bool {
	if err != nil {
		*msg = err.Error()
	}
	return err == nil
}

// temporalWorkers asks Temporal whether it answers and which workers
// poll the dialogs' task queue.
func temporalWorkers(ctx context.Context, d Deps) TemporalHealth {
	var out TemporalHealth
	if !report(temporalHealth(ctx, d), &out.Error) {
		return out
	}
	out.Connected = true
	n, err := d.Dialogs.Workers(ctx)
	if report(err, &out.Error) {
		out.Workers = n
	}
	return out
}

// diskHealth sums the files under dir and asks for the space left there.
func diskHealth(dir string) DiskHealth {
	var out DiskHealth
	if dir == "" {
		out.Error = "this server keeps no uploads"
		return out
	}
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if info, err := e.Info(); err == nil {
			out.UploadsBytes += info.Size()
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		out.Error = err.Error()
	}
	out.AvailableBytes, out.Known = freeSpace(dir)
	return out
}
