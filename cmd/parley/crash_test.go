package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the parley command, so the crash
// test can run `parley dev` as a real child process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("PARLEY_TEST_AS_PARLEY") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const crashBot = `bot: crash
variables:
  name: { type: string }
nodes:
  ask_name:
    kind: question
    text: Name?
    save: name
    next: ask_colour
  ask_colour:
    kind: question
    text: "Colour, {{ name }}?"
    timeout: 4s
    on_timeout: late
    next: done
  late:
    kind: message
    text: "Too slow, {{ name }}."
    next: done
  done:
    kind: end
    text: "Bye {{ name }}."
`

const crashKey = "sk-crash-test-key-0123456789"

// devProcess is `parley dev` running as a child process.
type devProcess struct {
	cmd  *exec.Cmd
	url  string
	key  string // API key; crashKey when empty
	logs *bytes.Buffer
}

// rawYAML is a request body sent as it is, as application/yaml.
type rawYAML string

func httpGet(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// startDev starts `parley dev` on a data directory with the bots of
// flowsDir, plus any other flags.
func startDev(t *testing.T, data, flowsDir, addr string, flags ...string) *devProcess {
	t.Helper()
	logs := &bytes.Buffer{}
	args := append([]string{"dev", "--data", data, "--flows", flowsDir, "--addr", addr}, flags...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PARLEY_TEST_AS_PARLEY=1", "PARLEY_DEV_API_KEY="+crashKey)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &devProcess{cmd: cmd, url: "http://" + addr, logs: logs}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			return p
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("parley dev did not start:\n%s", logs)
	return nil
}

func (p *devProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

func (p *devProcess) call(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	if y, ok := body.(rawYAML); ok {
		data = []byte(y)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, p.url+path, bytes.NewReader(data))
	key := p.key
	if key == "" {
		key = crashKey
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", method, path, err, p.logs)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %v %v", method, path, resp.StatusCode, out, err)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDevSurvivesSIGKILL kills `parley dev` mid-dialog, keeps it down past a
// question's timeout, restarts it on the same data directory and checks
// that the dialog finishes with every message once: the timer that fell due
// while nothing ran fires after the restart.
func TestDevSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev twice; skipped with -short")
	}
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "crash.yaml"), []byte(crashBot), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dev := startDev(t, data, flowsDir, addr)
	created := dev.call(t, "POST", "/v1/bots/crash/dialogs", map[string]any{})
	id := created["id"].(string)
	reply := dev.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "Ann", "client_message_id": "m1"})
	asked := time.Now()
	if got := said(reply); got != "Colour, Ann?" {
		t.Fatalf("reply = %q", got)
	}
	dev.kill(t)
	time.Sleep(time.Until(asked.Add(5 * time.Second))) // the 4s timeout falls due while parley is down

	dev = startDev(t, data, flowsDir, addr)
	var view map[string]any
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		view = dev.call(t, "GET", "/v1/dialogs/"+id, nil)
		if view["status"] == "completed" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	want := "assistant:Name? | user:Ann | assistant:Colour, Ann? | assistant:Too slow, Ann. | assistant:Bye Ann."
	if got := transcript(view); view["status"] != "completed" || got != want {
		t.Fatalf("after the restart: status %v, transcript\n%s\nwant\n%s\nlogs:\n%s", view["status"], got, want, dev.logs)
	}
}

func said(turn map[string]any) string {
	var texts []string
	for _, m := range turn["messages"].([]any) {
		texts = append(texts, m.(map[string]any)["text"].(string))
	}
	return strings.Join(texts, " | ")
}

func transcript(view map[string]any) string {
	var lines []string
	seen := map[string]bool{}
	for _, m := range view["messages"].([]any) {
		msg := m.(map[string]any)
		id := msg["id"].(string)
		if seen[id] {
			lines = append(lines, "DUPLICATE "+id)
		}
		seen[id] = true
		lines = append(lines, fmt.Sprintf("%s:%s", msg["role"], msg["text"]))
	}
	return strings.Join(lines, " | ")
}
