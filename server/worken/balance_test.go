package worken

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// TestInsufficientBalance: Worken renders a balance that cannot pay as
// 402 with code insufficient_balance.
func TestInsufficientBalance(t *testing.T) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest("GET", "/threads", nil)
	fail(c, store.Errorf(store.EINSUFFICIENT, "Top it up."))
	var body errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusPaymentRequired ||
		body.Error.Code != "insufficient_balance" || body.Error.Type != "invalid_request_error" || body.Error.Message != "Top it up." {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
