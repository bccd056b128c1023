package server_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/servertest"
)

// TestSlowBodyCut: a client that sends part of a JSON body or of an upload
// and then stalls is answered 400 once the body's deadline passes, saying
// why, instead of holding the connection and the handler for good.
func TestSlowBodyCut(t *testing.T) {
	saved := server.BodyDeadlines
	t.Cleanup(func() { server.BodyDeadlines = saved })
	server.BodyDeadlines.JSON, server.BodyDeadlines.Upload = 300*time.Millisecond, 300*time.Millisecond
	e := servertest.NewWith(t, servertest.Options{Undocumented: true}, dialects...) // a raw exchange the spec cannot see
	host := strings.TrimPrefix(e.URL, "http://")
	e.Do("PUT", "/v1/bots/echo/flow", e.A.Bearer(), echoBot)
	var dialog struct{ ID string }
	e.Do("POST", "/v1/bots/echo/dialogs", e.A.Bearer(), map[string]any{}).JSON(t, &dialog)
	multipart := " HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 100000\r\n"
	for name, head := range map[string]string{
		"JSON":   "POST /v1/canned-replies HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n",
		"upload": "POST /files" + multipart,
		// The native API streams a dialog's upload into the dialog itself.
		"dialog upload": "POST /v1/dialogs/" + dialog.ID + "/attachments" + multipart,
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			io.WriteString(conn, head+"Host: "+host+"\r\nAuthorization: "+e.A.Bearer()+"\r\n\r\n")
			io.WriteString(conn, "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n{\"shortcut\": ")
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "did not arrive within") || time.Since(start) > 3*time.Second {
				t.Errorf("a stalled body: %d %s after %v", resp.StatusCode, body, time.Since(start))
			}
		})
	}
}
