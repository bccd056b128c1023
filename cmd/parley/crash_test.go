//go:build !slim

package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// devProcess is `parley dev` running as a child process, which a test may kill.
type devProcess struct {
	*apiProcess
	cmd *exec.Cmd
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
	p := &devProcess{apiProcess: &apiProcess{url: "http://" + addr, logs: logs}, cmd: cmd}
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
