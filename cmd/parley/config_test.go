package main

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
)

func TestPublicURL(t *testing.T) {
	for _, tt := range []struct {
		name, env, addr, want string
	}{
		{"the listen address", "", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"every address is reached as localhost", "", "[::]:8080", "http://localhost:8080"},
		{"every IPv4 address", "", "0.0.0.0:9000", "http://localhost:9000"},
		{"configured", "https://chat.example.com/", "127.0.0.1:8080", "https://chat.example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PARLEY_PUBLIC_URL", tt.env)
			addr, err := net.ResolveTCPAddr("tcp", tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			if got := publicURL(addr); got != tt.want {
				t.Errorf("publicURL(%s) = %q, want %q", tt.addr, got, tt.want)
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Setenv("PARLEY_TRUSTED_PROXIES", "")
	if got := trustedProxies(); got != nil {
		t.Errorf("unset: %v, want none", got)
	}
	t.Setenv("PARLEY_TRUSTED_PROXIES", " 10.0.0.1, 192.168.0.0/16,,")
	if got, want := trustedProxies(), []string{"10.0.0.1", "192.168.0.0/16"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestRequestRate(t *testing.T) {
	for v, want := range map[string]server.RequestRate{"": {}, "off": {}, "0": {}, "20": {PerSecond: 20, Burst: 40}, "0.2": {PerSecond: 0.2, Burst: 1}} {
		t.Setenv("PARLEY_RATE_LIMIT", v)
		if got, err := requestRate(); err != nil || got != want {
			t.Errorf("PARLEY_RATE_LIMIT=%q: %+v, %v; want %+v", v, got, err, want)
		}
	}
	for _, v := range []string{"fast", "-1", "20/s", "Inf"} {
		t.Setenv("PARLEY_RATE_LIMIT", v)
		if _, err := requestRate(); err == nil || !strings.Contains(err.Error(), "like 20") {
			t.Errorf("PARLEY_RATE_LIMIT=%q: %v, want an error saying what to write", v, err)
		}
	}
}

func TestLogFormat(t *testing.T) {
	for _, tt := range []struct{ format, starts string }{
		{"", "time="}, {"text", "time="}, {"json", `{"time":`}, {"yaml", "time="},
	} {
		var b strings.Builder
		loggerTo(&b, tt.format).Info("hello", "k", "v")
		if !strings.HasPrefix(b.String(), tt.starts) || !strings.Contains(b.String(), "hello") {
			t.Errorf("format %q logged %q", tt.format, b.String())
		}
		if tt.format == "yaml" && !strings.Contains(b.String(), "PARLEY_LOG_FORMAT must be text or json") {
			t.Errorf("an unknown format is not reported: %q", b.String())
		}
	}
}

func TestVersion(t *testing.T) {
	var out, errOut strings.Builder
	for _, arg := range []string{"version", "--version"} {
		out.Reset()
		if code := run([]string{arg}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "parley dev") {
			t.Errorf("parley %s: exit %d, %q", arg, code, out.String())
		}
	}
	version, commit = "1.2.0", "abc1234"
	t.Cleanup(func() { version, commit = "dev", "" })
	if got := versionLine(); got != "parley 1.2.0 (commit abc1234)" {
		t.Errorf("versionLine() = %q", got)
	}
}

func TestOnLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7233": true, "localhost:7233": true, "[::1]:7233": true, "127.0.0.2:7233": true,
		"temporal:7233": false, "10.0.0.5:7233": false, "temporal.example.com:7233": false, "": false,
	} {
		if got := onLoopback(addr); got != want {
			t.Errorf("onLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestWorkflowCache(t *testing.T) {
	for v, want := range map[string]int{"": defaultWorkflowCache, "500": 500, " 20000 ": 20000} {
		t.Setenv("PARLEY_WORKFLOW_CACHE", v)
		if got, err := workflowCache(); err != nil || got != want {
			t.Errorf("PARLEY_WORKFLOW_CACHE=%q: %v %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"many", "0", "-5", "1.5"} {
		t.Setenv("PARLEY_WORKFLOW_CACHE", v)
		if _, err := workflowCache(); err == nil || !strings.Contains(err.Error(), "PARLEY_WORKFLOW_CACHE") {
			t.Errorf("PARLEY_WORKFLOW_CACHE=%q: %v, want an error naming the variable", v, err)
		}
	}
}

func TestEventRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"": defaultEventRetention, "72h": 72 * time.Hour, "2d": 48 * time.Hour} {
		t.Setenv("PARLEY_EVENT_RETENTION", v)
		if got, err := eventRetention(); err != nil || got != want {
			t.Errorf("PARLEY_EVENT_RETENTION=%q: %v %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"soon", "0s", "-1h"} {
		t.Setenv("PARLEY_EVENT_RETENTION", v)
		if _, err := eventRetention(); err == nil || !strings.Contains(err.Error(), "PARLEY_EVENT_RETENTION") {
			t.Errorf("PARLEY_EVENT_RETENTION=%q: %v, want an error naming the variable", v, err)
		}
	}
}

func TestSecretKey(t *testing.T) {
	t.Setenv("PARLEY_SECRET_KEY", "")
	if box, err := secretKey(""); box != nil || err != nil {
		t.Errorf("no key and no data directory: %v %v, want none", box, err)
	}
	dir := t.TempDir()
	box, err := secretKey(dir)
	if err != nil || box == nil {
		t.Fatalf("dev: %v %v, want a key made in the data directory", box, err)
	}
	sealed, _ := box.Seal("whsec_x")
	again, err := secretKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := again.Open(sealed); err != nil || plain != "whsec_x" {
		t.Errorf("a restart opened %q, %v: the dev key must be kept", plain, err)
	}
	t.Setenv("PARLEY_SECRET_KEY", "not base64 of 32 bytes")
	if _, err := secretKey(dir); err == nil || !strings.Contains(err.Error(), "PARLEY_SECRET_KEY") {
		t.Errorf("a malformed PARLEY_SECRET_KEY: %v, want an error naming it", err)
	}
}
