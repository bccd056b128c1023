//go:build tools

// Package tools pins modules that later issues build on (the Temporal SDK and
// server at the versions DESIGN section 3 names), so go.mod records them now.
package tools

import (
	_ "go.temporal.io/api/workflowservice/v1"
	_ "go.temporal.io/sdk/client"
	_ "go.temporal.io/server/temporal"
)
