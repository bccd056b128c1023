package worker

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/store"
)

// Indexing names.
const (
	WorkflowIndexDocument = "IndexDocument"
	ActivityIndexDocument = "IndexDocument"
	ActivityIndexFailed   = "IndexFailed"
)

// IndexDocumentWorkflow indexes one document of a vector store. It is a
// workflow so that indexing survives restarts: a file added just before
// parley stops is indexed when it starts again. When every attempt fails
// (the embedding model unreachable for minutes) the file is marked error
// with the last failure.
func IndexDocumentWorkflow(ctx workflow.Context, job knowledge.Job) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 6},
	})
	err := workflow.ExecuteActivity(ctx, ActivityIndexDocument, job).Get(ctx, nil)
	if err == nil {
		return nil
	}
	reason := engine.RootMessage(err)
	return workflow.ExecuteActivity(ctx, ActivityIndexFailed, job, reason).Get(ctx, nil)
}

// IndexDocument extracts, chunks, embeds and indexes a document,
// heartbeating meanwhile. A request the embedding model refuses (a 4xx)
// is not retried.
func (a *Activities) IndexDocument(ctx context.Context, job knowledge.Job) error {
	defer keepAlive(ctx)()
	return modelError(ctx, a.Knowledge.Ingest(ctx, job), maxIndexRetryDelay)
}

// IndexFailed marks a document that could not be indexed.
func (a *Activities) IndexFailed(ctx context.Context, job knowledge.Job, reason string) error {
	vs, err := a.Store.VectorStore(ctx, job.ProjectID, job.StoreUUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	f, err := a.Store.VectorStoreFile(ctx, job.ProjectID, job.StoreUUID, job.DocumentUUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	return a.Store.SetVectorStoreFileStatus(ctx, vs.ID, f.DocumentID, store.FileError, "indexing failed: "+reason, 0)
}

// IndexWorkflowID is the ID of the workflow that indexes a job's
// document. Adding a file twice is one job; adding it again after taking
// it out is another, with its own workflow: joining one that is still
// finishing the first would leave the new file pending for ever.
func IndexWorkflowID(job knowledge.Job) string {
	id := fmt.Sprintf("index-%d-%s-%s", job.ProjectID, job.StoreUUID, job.DocumentUUID)
	if job.Added != 0 {
		id += fmt.Sprintf("-%d", job.Added)
	}
	return id
}

// IndexStarter returns a knowledge.Library Start function that indexes in
// a workflow. Adding the same file again while it is being indexed joins
// the running workflow.
func IndexStarter(c client.Client) func(context.Context, knowledge.Job) error {
	return func(ctx context.Context, job knowledge.Job) error {
		_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
			ID:                       IndexWorkflowID(job),
			TaskQueue:                engine.TaskQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		}, WorkflowIndexDocument, job)
		return err
	}
}
