package botone

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// FuzzVariables feeds arbitrary `variables` parameters and create bodies
// to Bot.one's parsers. They never panic; bad input is a 400 or 413, never
// a 5xx; accepted variables encode to JSON and parse back the same.
func FuzzVariables(f *testing.F) {
	for _, seed := range [][2]string{
		{`{"name":"Dasha"}`, ``},
		{``, `{"response": true, "variables": "{\"name\": \"User\"}"}`},
		{`{"n": 1.5e300, "list": [1, "a", null, {"x": true}]}`, `{"variables": {"city": "Берлин"}}`},
		{`[1,2]`, `{"variables": "[1]"}`},
		{`{"a":`, `{"variables": "null"}`},
		{`  `, `{"response": "yes"}`},
		{`{"s":"\ud800 \u00e9 <&>"}`, `{"variables": {"deep": [[[[[[1]]]]]]}} {}`},
		{`{"a":1,"a":2}`, `not json`},
		{`null`, `{"variables": "   "}`},
	} {
		f.Add(seed[0], []byte(seed[1]))
	}
	gin.SetMode(gin.TestMode)
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		vars, err := parseVariables(query)
		if err != nil {
			if code := store.ErrorCode(err); code != store.EINVALID {
				t.Errorf("parseVariables(%q): code %s, want %s: %v", query, code, store.EINVALID, err)
			}
		} else {
			roundTrip(t, vars)
		}

		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest("POST", "/?variables="+url.QueryEscape(query), bytes.NewReader(body))
		vars, _, err = createParams(c)
		if err != nil {
			if s := server.Status(err); s < 400 || s >= 500 {
				t.Errorf("createParams: status %d for %v", s, err)
			}
			return
		}
		roundTrip(t, vars)
	})
}

// roundTrip checks that vars survive JSON: they are stored and handed to
// the workflow as JSON.
func roundTrip(t *testing.T, vars map[string]any) {
	t.Helper()
	if vars == nil {
		return
	}
	b, err := json.Marshal(vars)
	if err != nil {
		t.Fatalf("accepted variables do not encode: %v", err)
	}
	again, err := parseVariables(string(b))
	if err != nil || !reflect.DeepEqual(again, vars) {
		t.Fatalf("variables %v encode to %s, which parses to %v, %v", vars, b, again, err)
	}
}
