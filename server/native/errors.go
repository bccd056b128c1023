package native

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
)

// problemJSON is one problem of a flow: where and what.
type problemJSON struct {
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail renders err in the native shape and aborts the request. A flow
// with problems is 422 FLOW_INVALID listing them; every other error takes
// its status and code from the tables of package server.
func fail(c *gin.Context, err error) {
	var flowErr *dialogs.FlowError
	if !errors.As(err, &flowErr) {
		server.Fail(c, err)
		return
	}
	problems := make([]problemJSON, len(flowErr.Problems))
	for i, p := range flowErr.Problems {
		problems[i] = problemJSON{Line: p.Line, Column: p.Column, Code: p.Code, Message: p.Message}
	}
	failWith(c, http.StatusUnprocessableEntity, "FLOW_INVALID", flowErr.Error(), gin.H{"problems": problems})
}

// failWith renders a native error of the /v1 contract's own: a status and
// code no domain error has.
func failWith(c *gin.Context, status int, code, message string, details any) {
	c.AbortWithStatusJSON(status, server.ErrorBody{Error: server.ErrorDetail{Code: code, Message: message, Details: details}})
}
