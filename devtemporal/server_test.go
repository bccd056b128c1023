package devtemporal

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const testQueue = "devtemporal-test"

func greetWorkflow(_ workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// waitWorkflow blocks until it gets a "resume" signal, like a dialog waiting for the user.
func waitWorkflow(ctx workflow.Context) (string, error) {
	var msg string
	workflow.GetSignalChannel(ctx, "resume").Receive(ctx, &msg)
	return "resumed: " + msg, nil
}

// TestServerSurvivesRestart runs workflows on the server, restarts it on the same data
// dir and checks that a finished workflow and its result are still there and that a workflow
// blocked on a signal before the restart can be signaled and completes after it.
func TestServerSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	dataDir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))

	// start brings up the server, a client and a worker; the returned func stops all three.
	start := func(port int) (client.Client, func()) {
		t.Helper()
		begin := time.Now()
		srv, err := Start(ctx, Options{DataDir: dataDir, Port: port, Logger: logger})
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
		if want := fmt.Sprintf("127.0.0.1:%d", port); port != 0 && srv.HostPort() != want {
			t.Errorf("HostPort() = %q, want %q", srv.HostPort(), want)
		}
		t.Logf("dev server ready at %s in %v", srv.HostPort(), time.Since(begin))
		if srv.Namespace() != "default" {
			t.Errorf("Namespace() = %q, want default", srv.Namespace())
		}
		c, err := client.DialContext(ctx, client.Options{
			HostPort:  srv.HostPort(),
			Namespace: srv.Namespace(),
			Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))),
		})
		if err != nil {
			_ = srv.Stop()
			t.Fatalf("dial: %v", err)
		}
		w := sdkworker.New(c, testQueue, sdkworker.Options{})
		w.RegisterWorkflow(greetWorkflow)
		w.RegisterWorkflow(waitWorkflow)
		if err := w.Start(); err != nil {
			c.Close()
			_ = srv.Stop()
			t.Fatalf("worker start: %v", err)
		}
		var stopped bool
		stop := func() {
			if stopped {
				return
			}
			stopped = true
			begin := time.Now()
			w.Stop()
			c.Close()
			if err := srv.Stop(); err != nil {
				t.Errorf("Stop: %v", err)
			}
			t.Logf("dev server stopped in %v", time.Since(begin))
		}
		t.Cleanup(stop)
		return c, stop
	}

	// First run: one workflow completes, another blocks waiting for a signal.
	c, stop := start(0)
	greetOpts := client.StartWorkflowOptions{ID: "greet", TaskQueue: testQueue}
	run, err := c.ExecuteWorkflow(ctx, greetOpts, greetWorkflow, "parley")
	if err != nil {
		t.Fatalf("start greet: %v", err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil || greeting != "hello parley" {
		t.Fatalf("greet result = %q, %v; want \"hello parley\"", greeting, err)
	}
	waitOpts := client.StartWorkflowOptions{ID: "wait", TaskQueue: testQueue}
	if _, err := c.ExecuteWorkflow(ctx, waitOpts, waitWorkflow); err != nil {
		t.Fatalf("start wait: %v", err)
	}
	// Make sure the worker really ran it up to the Receive before the restart: follow the
	// history with a long poll until the first workflow task completed.
	waitForEvent(t, c, "wait", enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
	stop()

	if _, err := os.Stat(filepath.Join(dataDir, "temporal.db")); err != nil {
		t.Fatalf("database file: %v", err)
	}

	// Second run on the same data dir: schema and namespace exist already. This time on a
	// port of our choosing.
	ports, err := pickPorts(0)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = start(ports[0])
	desc, err := c.DescribeWorkflowExecution(ctx, "greet", "")
	if err != nil {
		t.Fatalf("describe greet after restart: %v", err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Errorf("greet status after restart = %v, want COMPLETED", got)
	}
	greeting = ""
	if err := c.GetWorkflow(ctx, "greet", "").Get(ctx, &greeting); err != nil || greeting != "hello parley" {
		t.Errorf("greet result after restart = %q, %v; want \"hello parley\"", greeting, err)
	}

	if err := c.SignalWorkflow(ctx, "wait", "", "resume", "after restart"); err != nil {
		t.Fatalf("signal wait after restart: %v", err)
	}
	var resumed string
	if err := c.GetWorkflow(ctx, "wait", "").Get(ctx, &resumed); err != nil || resumed != "resumed: after restart" {
		t.Errorf("wait result = %q, %v; want \"resumed: after restart\"", resumed, err)
	}
}

// waitForEvent long-polls the history of workflow id until an event of type want appears.
func waitForEvent(t *testing.T, c client.Client, id string, want enumspb.EventType) {
	t.Helper()
	iter := c.GetWorkflowHistory(t.Context(), id, "", true, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if ev.GetEventType() == want {
			return
		}
	}
	t.Fatalf("history of %s ended without %v", id, want)
}
