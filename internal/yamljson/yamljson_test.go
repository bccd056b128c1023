package yamljson

import (
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestPlain(t *testing.T) {
	var v any
	src := "a: {1: one, true: yes}\nb: [.inf, -.inf, .nan, 2.5]\nc: text\n"
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(v); err == nil {
		t.Fatal("yaml.v3's own values encoded as JSON; the test no longer shows what Plain is for")
	}
	got, err := json.Marshal(Plain(v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":{"1":"one","true":"yes"},"b":["+Inf","-Inf","NaN",2.5],"c":"text"}`
	if string(got) != want {
		t.Errorf("Plain = %s, want %s", got, want)
	}
}
