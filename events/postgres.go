package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/internal/wait"
)

// DefaultChannel is the NOTIFY channel of a database used without a
// search_path; with one, the schema's name is appended, so deployments
// (and tests) sharing a database do not hear each other.
const DefaultChannel = "parley_events"

// maxPayload keeps a notification under PostgreSQL's 8000-byte limit.
const maxPayload = 7900

// Postgres is a Bus between processes: Publish sends events with
// PostgreSQL NOTIFY, and every process LISTENs and hands what it hears to
// its own subscribers (a Memory). It is safe for concurrent use.
//
// Delivery is best effort, as with Memory: Publish only queues (a full
// queue drops the event), events published while a connection is down
// are lost, and a slow subscriber loses events. Each process's events
// arrive in the order it published them.
type Postgres struct {
	local   *Memory
	queue   chan Event
	url     string
	channel string
	origin  string // this bus's id in payload headers
	log     *slog.Logger

	dropped atomic.Int64 // events the full queue turned away
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
}

var _ Bus = (*Postgres)(nil)

// NewPostgres connects to the database at url (postgres://...) and starts
// listening. Close it to stop. log may be nil.
func NewPostgres(ctx context.Context, url string, log *slog.Logger) (*Postgres, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parsing database url: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	channel := DefaultChannel
	if schema := cfg.RuntimeParams["search_path"]; schema != "" {
		channel = truncate(DefaultChannel+"_"+schema, 63) // the longest identifier
	}
	listen, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connecting the event listener: %w", err)
	}
	if _, err := listen.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		listen.Close(ctx)
		return nil, fmt.Errorf("listening for events: %w", err)
	}
	run, cancel := context.WithCancel(context.Background())
	p := &Postgres{local: NewMemory(), queue: make(chan Event, 4096), url: url, channel: channel,
		origin: strings.ToLower(rand.Text()[:12]), log: log, cancel: cancel}
	p.wg.Add(2)
	go func() { defer p.wg.Done(); p.listen(run, listen) }()
	go func() { defer p.wg.Done(); p.send(run) }()
	return p, nil
}

// Publish queues ev for every process; it never waits.
func (p *Postgres) Publish(_ context.Context, ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	select {
	case p.queue <- ev:
	default:
		p.dropped.Add(1)
	}
}

// Subscribe listens to one dialog, or to the whole project with dialogID
// 0, as Memory.Subscribe.
func (p *Postgres) Subscribe(ctx context.Context, projectID, dialogID int64) (<-chan Event, func()) {
	return p.local.Subscribe(ctx, projectID, dialogID)
}

// Dropped counts the events Publish turned away because the queue was full.
func (p *Postgres) Dropped() int64 { return p.dropped.Load() }

// Close stops listening and sending and ends every subscription; events
// still queued are not sent.
func (p *Postgres) Close() {
	p.once.Do(func() {
		p.cancel()
		p.wg.Wait()
		p.local.Close()
	})
}

// send sends the queue's events, a batch per transaction, reconnecting
// after errors.
func (p *Postgres) send(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	for n := uint64(0); ; {
		var batch []Event
		select {
		case <-ctx.Done():
			return
		case ev := <-p.queue:
			batch = append(batch, ev)
		}
	more:
		for len(batch) < 256 {
			select {
			case ev := <-p.queue:
				batch = append(batch, ev)
			default:
				break more
			}
		}
		n++
		payloads := frame(p.origin+"-"+strconv.FormatUint(n, 10), batch)
		if conn == nil {
			var err error
			if conn, err = pgx.Connect(ctx, p.url); err != nil {
				p.log.Warn("events: connecting to send failed; events lost", "count", len(batch), "error", err)
				conn = nil
				wait.For(ctx, time.Second)
				continue
			}
		}
		if err := p.notify(ctx, conn, payloads); err != nil {
			p.log.Warn("events: sending failed; events lost", "count", len(batch), "error", err)
			conn.Close(context.Background())
			conn = nil
		}
	}
}

// notify sends payloads in one transaction, so they arrive together and
// in order.
func (p *Postgres) notify(ctx context.Context, conn *pgx.Conn, payloads []string) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, s := range payloads {
			b.Queue("SELECT pg_notify($1, $2)", p.channel, s)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// listen hands every notification's events to the local subscribers,
// reconnecting after errors.
func (p *Postgres) listen(ctx context.Context, conn *pgx.Conn) {
	var asm assembler
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			for _, ev := range asm.add(n.Payload) {
				p.local.Publish(ctx, ev)
			}
			continue
		}
		conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		p.log.Warn("events: listening failed; reconnecting", "error", err)
		for conn = nil; conn == nil; {
			if !wait.For(ctx, time.Second) {
				return
			}
			conn, err = pgx.Connect(ctx, p.url)
			if err == nil {
				if _, err = conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.channel}.Sanitize()); err != nil {
					conn.Close(context.Background())
					conn = nil
				}
			}
		}
		asm = assembler{}
	}
}

// frame encodes a batch as notification payloads: "<id> <part> <parts>\n"
// then a piece of the JSON array of events. Events are packed into as few
// payloads as fit; an event too big for one payload is split across
// several, on UTF-8 boundaries.
func frame(id string, batch []Event) []string {
	var groups [][]byte
	var cur []byte
	for _, ev := range batch {
		data, err := json.Marshal(ev)
		if err != nil {
			continue
		}
		if len(cur) > 0 && len(cur)+len(data)+2 > maxPayload-64 {
			groups = append(groups, append(cur, ']'))
			cur = nil
		}
		if len(cur) == 0 {
			cur = append(cur, '[')
		} else {
			cur = append(cur, ',')
		}
		cur = append(cur, data...)
	}
	if len(cur) > 0 {
		groups = append(groups, append(cur, ']'))
	}
	var out []string
	for g, group := range groups {
		parts := split(string(group), maxPayload-64)
		for i, part := range parts {
			out = append(out, fmt.Sprintf("%s.%d %d %d\n%s", id, g, i, len(parts), part))
		}
	}
	return out
}

// split cuts s into pieces of at most n bytes, not inside a UTF-8 rune.
func split(s string, n int) []string {
	var out []string
	for len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

// assembler joins the parts of split payloads. A transaction's
// notifications arrive together, so only one split payload is ever open.
type assembler struct {
	id    string
	parts []string
}

func (a *assembler) add(payload string) []Event {
	header, body, ok := strings.Cut(payload, "\n")
	var id string
	var part, parts int
	if !ok {
		return nil
	}
	if _, err := fmt.Sscanf(header, "%s %d %d", &id, &part, &parts); err != nil || parts < 1 || part >= parts {
		return nil
	}
	if parts > 1 {
		if part == 0 || id != a.id || part != len(a.parts) {
			a.id, a.parts = id, nil
		}
		if part != len(a.parts) {
			return nil // a part went missing
		}
		a.parts = append(a.parts, body)
		if len(a.parts) < parts {
			return nil
		}
		body = strings.Join(a.parts, "")
		a.id, a.parts = "", nil
	}
	var evs []Event
	if err := json.Unmarshal([]byte(body), &evs); err != nil {
		return nil
	}
	return evs
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
