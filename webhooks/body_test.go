package webhooks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestBody(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("MSK", 3*3600))
	for name, tc := range map[string]struct {
		id, typ string
		at      time.Time
		data    string
		want    string // or the error's wording
	}{
		"ok": {"evt_1", "thread.created", at, `{"thread_id": "t1", "n": [1, 2]}`,
			`{"id":"evt_1","type":"thread.created","created_at":"2025-03-04T02:06:07.89Z","data":{"thread_id":"t1","n":[1,2]}}`},
		"whole seconds": {"evt_2", "ping", at.Truncate(time.Second), `{}`,
			`{"id":"evt_2","type":"ping","created_at":"2025-03-04T02:06:07Z","data":{}}`},
		"no data": {"evt_3", "ping", at, ``,
			`{"id":"evt_3","type":"ping","created_at":"2025-03-04T02:06:07.89Z","data":{}}`},
		"html kept": {"evt_<4>", "a&b", at, `{"text":"<b>&</b>"}`,
			`{"id":"evt_<4>","type":"a&b","created_at":"2025-03-04T02:06:07.89Z","data":{"text":"<b>&</b>"}}`},
		"data not an object": {"evt_5", "ping", at, `[1]`, "data must be a JSON object"},
		"bad data":           {"evt_6", "ping", at, `{"a":`, "encoding webhook body for evt_6"},
		"no id":              {"", "ping", at, `{}`, "id and type must not be empty"},
		"no type":            {"evt_7", "", at, `{}`, "id and type must not be empty"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Body(tc.id, tc.typ, tc.at, json.RawMessage(tc.data))
			if strings.HasPrefix(tc.want, "{") {
				if err != nil || string(got) != tc.want {
					t.Errorf("Body = %s, %v\nwant %s", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Body = %s, %v; want an error saying %q", got, err, tc.want)
			}
		})
	}
}
