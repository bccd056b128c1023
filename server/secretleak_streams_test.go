package server_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The sweep's streams: every documented stream is opened by each
// principal with each credential it holds that the route takes, replayed
// from the start where the spec documents how (Last-Event-ID, since_seq,
// last_event_id), and kept open while the sweep makes things happen in
// the dialogs they watch (messages the worker answers with a block call
// and the model's streamed text, typing, a handoff, an operator's message
// and note, a webhook test, a Worken mode change, a panel's frames), then
// read for a bounded time and scanned as the answers are.
//
// A stream is a route whose 2xx answer is documented as text/event-stream,
// or a WebSocket (a documented 101): a new one joins by itself. Its path
// parameters name the streams world's fixtures as the matrix's cells
// name theirs (pathFixtures, and queryTokenRoutes' for a WebSocket's).

// How long a stream is read: from its answer, while the sweep makes
// things happen (a few seconds) and the dispatcher catches up, then for
// streamGrace more; or until it has maxStreamEvents or maxStreamBytes
// (a replay of the whole project's log is some thousand events), and
// never past streamsTimeout.
const (
	streamGrace     = 1500 * time.Millisecond
	maxStreamEvents = 20000
	maxStreamBytes  = 16 << 20
	streamsTimeout  = 60 * time.Second
)

// docStream is a documented stream route.
type docStream struct {
	route *mxRoute
	ws    bool
	// resumeIn and resumeName are the parameter that replays the stream
	// from its start ("header" or "query"); "" when none is documented.
	resumeIn, resumeName string
}

// streamRoutes reads the streams of schemas/openapi.yaml among routes.
func streamRoutes(t *testing.T, routes []*mxRoute) []docStream {
	doc, resolve := openAPIDoc(t)
	var out []docStream
	for _, r := range routes {
		item := resolve(doc["paths"].(map[string]any)[r.path])
		op := resolve(item[strings.ToLower(r.method)])
		s := docStream{route: r}
		stream := false
		responses, _ := op["responses"].(map[string]any)
		for code, resp := range responses {
			content, _ := resolve(resp)["content"].(map[string]any)
			switch {
			case code == "101":
				stream, s.ws = true, true
			case strings.HasPrefix(code, "2"):
				for ct := range content {
					stream = stream || strings.HasPrefix(ct, "text/event-stream")
				}
			}
		}
		if !stream {
			continue
		}
		params, _ := item["parameters"].([]any)
		more, _ := op["parameters"].([]any)
		for _, p := range append(slices.Clone(params), more...) {
			p := resolve(p)
			name, _ := p["name"].(string)
			in, _ := p["in"].(string)
			switch strings.ToLower(name) {
			case "last-event-id", "last_event_id", "since_seq":
				if s.resumeIn == "" || in == "header" {
					s.resumeIn, s.resumeName = in, name
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// streamBodies are more request bodies a POST stream is sent with,
// beside the matrix's (its bodies entry or its spec example), each its
// own stream: another rendering of the same thing.
var streamBodies = map[string][]string{
	// The AI SDK's useChat sends messages with parts, and gets the UI
	// message stream instead of Worken's own events.
	"POST /chats/{chat_id}/threads/{thread_id}/stream": {`{"messages": [{"role": "user", "parts": [{"type": "text", "text": "And now?"}]}]}`},
}

// streamRun is one opening of the streams: what they wait for.
type streamRun struct {
	stirred chan struct{} // closed when the sweep begins to make things happen
	panels  chan struct{} // closed when the panels are to write
	turns   sync.Mutex    // one POST stream (a turn of the thread) at a time
}

// streamRead is one stream opened and read.
type streamRead struct {
	doc  docStream
	who  principal
	cred credential
	req  *mxRequest

	status int
	header http.Header
	body   bytes.Buffer
	events int // server-sent events or WebSocket frames (not pings)
	live   int // of events, those that came after the sweep began to stir
	opened bool
	err    error
	done   chan struct{} // closed once read
}

// streamCells are the streams to open in world w: every documented stream
// as each principal, with each credential it holds that the route takes.
func (s *sweep) streamCells(docs []docStream, w *world) []*streamRead {
	var out []*streamRead
	for _, d := range docs {
		for _, p := range []principal{pOwner, pOperator, pViewer, pOther} {
			for _, cred := range s.streamCreds(p, d.route) {
				req := s.streamRequest(d, w, p, cred)
				out = append(out, &streamRead{doc: d, who: p, cred: cred, req: req, done: make(chan struct{})})
				for _, body := range streamBodies[d.route.key] {
					more := *req
					more.header, more.body = req.header.Clone(), []byte(body)
					out = append(out, &streamRead{doc: d, who: p, cred: cred, req: &more, done: make(chan struct{})})
				}
			}
		}
	}
	return out
}

// streamCreds are the credentials p holds that r takes: its own, and a
// widget's tokens (of the world's widget, filled by build; another
// project's owner's are its own project's).
func (s *sweep) streamCreds(p principal, r *mxRoute) []credential {
	var out []credential
	for _, kind := range accepted(r) {
		c, ok := s.m.creds[p][kind]
		switch {
		case ok:
			out = append(out, c)
		case p == pOwner || p == pOther:
			if kind == kVisitorToken || kind == kVisitorQuery || kind == kSiteToken && p == pOwner {
				out = append(out, credential{kind: kind, name: p.String() + "'s " + kind})
			}
		}
	}
	return out
}

// streamRequest is a stream's request as principal p with cred in w,
// asking to replay it from the start where the spec says how.
func (s *sweep) streamRequest(d docStream, w *world, p principal, cred credential) *mxRequest {
	m := s.m
	req, cred, _ := m.build(w, d.route, p, cred)
	if d.ws { // websocket.Dial makes its own handshake
		for _, h := range []string{"Connection", "Upgrade", "Sec-Websocket-Version", "Sec-Websocket-Key"} {
			req.header.Del(h)
		}
	}
	m.present(req, cred, d.route, false)
	switch d.resumeIn {
	case "header":
		req.header.Set(d.resumeName, "0")
	case "query":
		sep := "?"
		if strings.Contains(req.path, "?") {
			sep = "&"
		}
		req.path += sep + d.resumeName + "=0"
	}
	return req
}

// open opens sr and reads it until ctx ends, the stream ends or it has
// maxStreamEvents; ready is called once it answered (its subscription is
// made by then).
func (s *sweep) open(ctx context.Context, sr *streamRead, ready func(), run *streamRun) {
	defer close(sr.done)
	if sr.doc.ws {
		s.openSocket(ctx, sr, ready, run)
		return
	}
	defer ready()
	m := s.m
	stirred := run.stirred
	if sr.req.method != http.MethodGet { // a stream that is itself a thing happening: sent once the others listen
		ready()
		select {
		case <-stirred:
		case <-ctx.Done():
			return
		}
		run.turns.Lock()
		defer run.turns.Unlock()
	}
	req, err := http.NewRequestWithContext(ctx, sr.req.method, m.e.URL+sr.req.path, bytes.NewReader(sr.req.body))
	if err != nil {
		sr.err = err
		return
	}
	req.Header = sr.req.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		sr.err = err
		return
	}
	defer resp.Body.Close()
	sr.status, sr.header = resp.StatusCode, resp.Header
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		io.Copy(&sr.body, io.LimitReader(resp.Body, 1<<20))
		return
	}
	sr.opened = true
	ready()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxStreamBytes)
	data := false
	for sc.Scan() && sr.events < maxStreamEvents && sr.body.Len() < maxStreamBytes {
		line := sc.Bytes()
		sr.body.Write(line)
		sr.body.WriteByte('\n')
		switch {
		case len(line) == 0 && data:
			sr.events++
			if isClosed(stirred) {
				sr.live++
			}
			data = false
		case bytes.HasPrefix(line, []byte("data:")):
			data = true
		}
	}
}

// openSocket is open for a WebSocket. A panel (a JWT's) tells the
// dialog it is typing and writes into it when stir says (run.panels).
func (s *sweep) openSocket(ctx context.Context, sr *streamRead, ready func(), run *streamRun) {
	stirred := run.stirred
	defer ready()
	m := s.m
	opts := &websocket.DialOptions{HTTPHeader: sr.req.header.Clone()}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(m.e.URL, "http")+sr.req.path, opts)
	if resp != nil {
		sr.status, sr.header = resp.StatusCode, resp.Header
		if resp.Body != nil {
			io.Copy(&sr.body, io.LimitReader(resp.Body, 1024))
		}
	}
	if err != nil {
		if resp == nil {
			sr.err = err
		}
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxStreamBytes)
	sr.opened = true
	ready()
	if sr.cred.kind == kJWT {
		go func() {
			select {
			case <-run.panels:
			case <-ctx.Done():
				return
			}
			_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type": "typing", "operator_name": "Kate"}`))
			_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type": "send_message", "text": "A panel writes."}`))
		}()
	}
	for sr.events < maxStreamEvents && sr.body.Len() < maxStreamBytes {
		data, err := readFrame(ctx, conn)
		if err != nil {
			return
		}
		sr.body.Write(data)
		sr.body.WriteByte('\n')
		sr.events++
		if isClosed(stirred) {
			sr.live++
		}
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// streams opens every stream in the streams world, makes things happen
// while they are open (with a webhook dispatcher running), then scans
// what they said; it returns the streams world.
func (s *sweep) streams(dispatcherLog io.Writer) *world {
	m := s.m
	began := time.Now()
	s.signIn()
	stopDispatcher := s.deliver(dispatcherLog)
	defer stopDispatcher()

	w := s.streamsWorld()
	docs := streamRoutes(m.t, m.routes)
	cells := s.streamCells(docs, w)
	ctx, cancel := context.WithTimeout(m.t.Context(), streamsTimeout)
	defer cancel()
	run := &streamRun{stirred: make(chan struct{}), panels: make(chan struct{})}
	var listening, reading sync.WaitGroup
	for _, sr := range cells {
		listening.Add(1)
		reading.Add(1)
		once := sync.OnceFunc(listening.Done)
		go func() {
			defer reading.Done()
			s.open(ctx, sr, once, run)
		}()
	}
	// Every GET stream has answered (and subscribed) before anything
	// happens; the POST ones are sent now.
	waitGroup(ctx, &listening)
	close(run.stirred)
	s.stir(ctx, w, run, cells)
	s.signedDeliveries()
	time.Sleep(streamGrace)
	cancel()
	reading.Wait()
	stopDispatcher()
	s.hooked = s.received()
	s.absorb()

	// The spec's streams were each read by someone, live.
	byRoute := map[string][]*streamRead{}
	for _, sr := range cells {
		byRoute[sr.doc.route.key] = append(byRoute[sr.doc.route.key], sr)
	}
	var lines []string
	for _, d := range docs {
		opened, live, events := 0, 0, 0
		var whos, refused []string
		for _, sr := range byRoute[d.route.key] {
			if sr.opened {
				opened++
				whos = append(whos, fmt.Sprintf("%s/%s", principalShort[sr.who], sr.cred.kind))
			} else {
				refused = append(refused, fmt.Sprintf("%s/%s %d", principalShort[sr.who], sr.cred.kind, sr.status))
			}
			events += sr.events
			live += sr.live
		}
		if len(refused) > 0 {
			whos = append(whos, "refused: "+strings.Join(refused, ", "))
		}
		if opened == 0 {
			m.t.Errorf("%s is documented as a stream, but no principal opened it: %s", d.route.key, streamFailures(byRoute[d.route.key]))
		} else if live == 0 {
			m.t.Errorf("%s: no stream of it got an event while the sweep made things happen", d.route.key)
		}
		lines = append(lines, fmt.Sprintf("%s: %d of %d opened (%s), %d events, %d live", d.route.key, opened,
			len(byRoute[d.route.key]), strings.Join(whos, " "), events, live))
	}
	sort.Strings(lines)
	m.t.Logf("streams read (%v):\n\t%s", time.Since(began).Round(time.Millisecond), strings.Join(lines, "\n\t"))

	for _, sr := range cells {
		s.checkStream(sr)
	}
	for _, d := range s.hooked {
		s.deliveriesRead++
		var h strings.Builder
		for name, vs := range d.header {
			if name != "Webhook-Signature" && name != "X-Worken-Signature" { // signatures are made with the secret, not of it
				fmt.Fprintf(&h, "%s: %s\n", name, strings.Join(vs, ", "))
			}
		}
		for value, p := range s.secrets {
			if shows(d.body, value) || shows([]byte(h.String()), value) {
				s.leaks = append(s.leaks, fmt.Sprintf("a webhook delivery shows %s: %s", p.what, around(d.body, value)))
			}
		}
	}
	return w
}

// isStream says whether r is one of docs.
func isStream(docs []docStream, r *mxRoute) bool {
	return slices.ContainsFunc(docs, func(d docStream) bool { return d.route == r })
}

// again sends every GET cell of the owner's once more, on the streams
// world, after the worker ran there: what it stored (the block's result,
// the model's answers, the webhook deliveries and their outcomes, the AI
// tokens' use) is read through the API too.
func (s *sweep) again(w *world) {
	m := s.m
	docs := streamRoutes(m.t, m.routes)
	w0 := m.w0
	m.w0 = w
	defer func() { m.w0 = w0 }()
	// The planted webhook's deliveries are the ones to read.
	r := m.must(m.ownerReq("GET", "/v1/webhooks/"+s.hookUUID+"/deliveries", "", ""), http.StatusOK)
	if list, _ := r["deliveries"].([]any); len(list) > 0 {
		w.vals["delivery.id"] = jsonString(list[0].(map[string]any)["id"])
	}
	for _, c := range m.cells {
		if c.who == pOwner && c.route.method == http.MethodGet && !isStream(docs, c.route) {
			m.run(c)
		}
	}
	s.absorb()
}

// signIn gives the matrix's principals new JWTs and sessions: the cells
// signed theirs out (a password change ends every other sign-in). They
// are planted as the old ones were.
func (s *sweep) signIn() {
	m := s.m
	for _, p := range []principal{pOwner, pOperator, pViewer, pOther} {
		for _, kind := range []string{kJWT, kSession} {
			cred := m.fresh(p, m.creds[p][kind])
			m.creds[p][kind] = cred
			what := p.String() + "'s session id, signed in again"
			if kind == kJWT {
				what = p.String() + "'s JWT, signed in again"
			}
			s.secrets[cred.value] = planted{what: what, own: kind == kJWT}
		}
	}
}

// waitGroup waits for wg, or for ctx to end.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func streamFailures(srs []*streamRead) string {
	var out []string
	for _, sr := range srs {
		out = append(out, fmt.Sprintf("%s/%s: %d %v %s", principalShort[sr.who], sr.cred.kind, sr.status, sr.err, excerpt(sr.body.Bytes())))
	}
	return strings.Join(out, "; ")
}

// checkStream scans what a stream said, as check scans an answer.
func (s *sweep) checkStream(sr *streamRead) {
	s.streamsRead++
	if sr.opened {
		s.streamsOpened++
	}
	s.streamEvents += sr.events
	where := fmt.Sprintf("stream %s as %s (%s) = %d", s.routeOf(sr.req), sr.who, sr.cred.name, sr.status)
	s.leaks = append(s.leaks, s.leaksIn(sr.req, sr.header, sr.body.Bytes(), where)...)
}

// streamsWorld is the world the streams watch: the sweep bot's dialog,
// widget dialog and Worken thread, and the planted webhooks; project A's
// other fixtures are w0's.
func (s *sweep) streamsWorld() *world {
	m := s.m
	w := m.newWorld("streams")
	b, err := m.e.Store.Bot(m.t.Context(), m.owner.projectID, "sweep")
	must(m.t, err)
	w.set("bot.slug", b.Slug)
	w.set("bot.uuid", b.UUID)
	w.set("bot.id", fmt.Sprint(b.ID))
	w.set("webhook.id", s.hookUUID)
	for _, kind := range []string{"dialog.uuid", "widget.dialog", "thread.id"} {
		w.get(kind)
	}
	// The thread's next message is the block's; the streams' turns are
	// the model's.
	turn := m.ownerReq("POST", "/chats/"+w.get("wchat.uuid")+"/threads/"+w.get("thread.id")+"/stream", "application/json",
		`{"messages": [{"role": "user", "content": "order 42"}]}`)
	if status, body := s.sendAll(turn); status != http.StatusOK {
		m.t.Fatalf("the streams world's thread: %d %s", status, excerpt(body))
	}
	for k, v := range m.w0.vals { // but w0's widget dialogs and files, of another channel
		if _, ok := w.vals[k]; !ok && !strings.HasPrefix(k, "widget.") {
			w.vals[k] = v
		}
	}
	return w
}

// stir makes things happen in the streams world's dialogs while the
// streams listen: what each kind of stream shows, and what carries a
// secret's neighbours (the block call's token, the model's key, a
// webhook's signing secrets).
func (s *sweep) stir(ctx context.Context, w *world, run *streamRun, cells []*streamRead) {
	m := s.m
	dialog := w.get("dialog.uuid")
	owner := func(method, path, body string) *mxRequest { return m.ownerReq(method, path, "application/json", body) }
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/typing", `{"operator": "Kate"}`), http.StatusNoContent)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/messages", `{"text": "order 42"}`), http.StatusOK)     // a block call, then the model
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/messages", `{"text": "Where is it?"}`), http.StatusOK) // the model again
	visitor := func() http.Header {
		return http.Header{"X-Visitor-Token": {w.get("widget.dialog.visitor")}, "Origin": {origin}}
	}
	widget := "/widget/v1/dialogs/" + w.get("widget.dialog") + "/messages"
	m.must(mxReq("POST", widget, visitor(), "application/json", `{"text": "order 7"}`), http.StatusOK)
	m.must(mxReq("POST", widget, visitor(), "application/json", `{"text": "Where is it?"}`), http.StatusOK)
	// A file an operator sends the visitor: links to it (the widget's
	// carry the visitor's token) in every stream of the dialog.
	wd := w.get("widget.dialog")
	m.must(owner("POST", "/v1/dialogs/"+wd+"/operator", `{"action": "message", "operator": "Kate", "text": "Your label.", "files": [`+w.attach(wd)+`]}`),
		http.StatusOK)
	m.must(m.ownerReq("POST", "/v1/webhooks/"+s.hookUUID+"/test", "", ""), http.StatusAccepted)
	// The thread's own turns (the POST streams) are over before an
	// operator takes it.
	for _, sr := range cells {
		if sr.req.method != http.MethodGet {
			select {
			case <-sr.done:
			case <-ctx.Done():
			}
		}
	}
	thread, chat := w.get("thread.id"), w.get("wchat.uuid")
	m.must(owner("POST", "/chats/"+chat+"/threads/"+thread+"/mode", `{"mode": "manual"}`), http.StatusOK)
	m.must(owner("POST", "/threads/"+thread+"/send", `{"text": "An operator answers the thread."}`), http.StatusOK)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/handoff", `{"queue": "billing"}`), http.StatusOK)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/operator", `{"action": "take", "operator": "Kate"}`), http.StatusOK)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/operator", `{"action": "message", "operator": "Kate", "text": "Kate here."}`), http.StatusOK)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/operator", `{"action": "note", "operator": "Kate", "text": "Checked the parcel."}`), http.StatusCreated)
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/operator", `{"action": "release", "operator": "Kate"}`), http.StatusOK)
	// The panels write now: the first to take the dialog writes in it.
	close(run.panels)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := m.send(owner("GET", "/v1/dialogs/"+dialog, ""))
		if bytes.Contains(body, []byte("A panel writes.")) {
			break
		}
		if time.Now().After(deadline) {
			m.t.Errorf("no panel's message reached the dialog through ReplyX's WebSocket within 10s: %s", excerpt(body))
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.must(owner("POST", "/v1/dialogs/"+dialog+"/operator", `{"action": "close"}`), http.StatusOK)
}

// sendAll is the matrix's send, but reads a stream's body to its end
// too (and the sweep checks it as an answer).
func (s *sweep) sendAll(r *mxRequest) (int, []byte) {
	m := s.m
	req, err := http.NewRequestWithContext(m.t.Context(), r.method, m.e.URL+r.path, bytes.NewReader(r.body))
	must(m.t, err)
	req.Header = r.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	must(m.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxStreamBytes))
	s.check(r, resp.StatusCode, resp.Header, body)
	return resp.StatusCode, body
}
