package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// TestInsufficientBalance: a balance that cannot pay is 402 Payment
// Required, code INSUFFICIENT_BALANCE, with its message.
func TestInsufficientBalance(t *testing.T) {
	err := store.Errorf(store.EINSUFFICIENT, "Top it up.")
	if got := Status(err); got != http.StatusPaymentRequired {
		t.Errorf("status %d, want 402", got)
	}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest("GET", "/v1/x", nil)
	Fail(c, err)
	var body ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusPaymentRequired ||
		body.Error.Code != "INSUFFICIENT_BALANCE" || body.Error.Message != "Top it up." {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}
