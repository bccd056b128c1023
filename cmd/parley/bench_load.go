//go:build !slim

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"
)

// benchHTTP has enough idle connections for every dialog.
var benchHTTP = &http.Client{Transport: &http.Transport{MaxIdleConns: 2000, MaxIdleConnsPerHost: 2000}, Timeout: time.Minute}

func (e *benchEnv) post(ctx context.Context, path string, body any, out any) error {
	data, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", e.url+path, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.key)
	resp, err := benchHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// createDialogs starts n dialogs of the bench bot over HTTP.
func (e *benchEnv) createDialogs(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i := range ids {
		g.Go(func() error {
			var created struct{ ID string }
			err := e.post(gctx, "/v1/bots/bench/dialogs", map[string]any{}, &created)
			ids[i] = created.ID
			return err
		})
	}
	return ids, g.Wait()
}

// startBare starts n baseline workflows.
func (e *benchEnv) startBare(ctx context.Context, n int) ([]string, error) {
	ids := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-bare-%d-%d", time.Now().UnixNano(), i)
		g.Go(func() error {
			_, err := e.tc.ExecuteWorkflow(gctx, client.StartWorkflowOptions{ID: ids[i], TaskQueue: bareQueue}, "BenchBare")
			return err
		})
	}
	return ids, g.Wait()
}

// turn sends a user message to a dialog and waits for the reply.
func (e *benchEnv) turn(ctx context.Context, id string, i int) error {
	return e.post(ctx, "/v1/dialogs/"+id+"/messages", map[string]any{"text": fmt.Sprintf("hello %d", i)}, nil)
}

// bareUpdate sends the baseline's empty update and waits for it.
func (e *benchEnv) bareUpdate(ctx context.Context, id string, i int) error {
	h, err := e.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "noop",
		Args: []any{fmt.Sprint(i)}, WaitForStage: client.WorkflowUpdateStageCompleted})
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

// openLoop has every target's user think for an exponentially distributed
// time (mean cfg.think) before each message, for cfg.loadFor.
func (e *benchEnv) openLoop(ctx context.Context, ids []string, cfg benchConfig, do turnFunc) *samples {
	s := &samples{}
	start := time.Now()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				pause := time.Duration(rand.ExpFloat64() * float64(cfg.think))
				if time.Since(start)+pause > cfg.loadFor {
					return
				}
				time.Sleep(pause)
				t := time.Now()
				err := do(ctx, id, i)
				s.add(time.Since(t), err)
			}
		}()
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	return s
}
