// Command parley runs and checks Parley bots.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `parley runs and checks Parley chatbots.

Usage:
  parley dev [--addr A] [--data DIR] [--flows DIR]  run everything in one process (embedded Temporal, SQLite)
  parley serve                                   serve the HTTP API (external Temporal and PostgreSQL)
  parley worker                                  run dialogs (external Temporal and PostgreSQL)
  parley temporal [--data DIR] [--port 7233]     run the embedded Temporal server alone, for serve and worker processes on one machine
  parley migrate                                 apply database migrations
  parley rotate-secrets                          seal every stored secret again under PARLEY_SECRET_KEY (see PARLEY_SECRET_KEY_OLD)
  parley validate [--format text|json] FILE...   check bot files (and *.test.yaml files); exit 1 on errors
  parley test FILE.test.yaml...                  run conversation tests
  parley schema                                  print the JSON Schema of bot files
  parley bench                                   measure turns over HTTP next to bare Temporal updates
  parley billing pay INVOICE-ID                  confirm that an invoice is paid (adds its credits once)
  parley admin grant|revoke EMAIL                make a user an administrator (the admin routes), or not
  parley version                                 print the version and commit

Run 'parley COMMAND --help' for a command's flags. Flags override PARLEY_* environment variables:
PARLEY_ADDR, PARLEY_DATA, PARLEY_FLOWS, PARLEY_TEMPORAL_ADDRESS, PARLEY_TEMPORAL_NAMESPACE,
PARLEY_DATABASE_URL, PARLEY_ADMIN_EMAIL, PARLEY_ADMIN_PASSWORD, PARLEY_DEV_API_KEY,
PARLEY_INACTIVITY_TIMEOUT (default 24h), PARLEY_STEP_LIMIT (nodes per turn, default 100),
PARLEY_ALLOW_PRIVATE_URLS (IPs or CIDRs block services may have although they are internal),
PARLEY_PUBLIC_URL (where clients reach the API, for the links it hands out; default the listen address),
PARLEY_TRUSTED_PROXIES (IPs or CIDRs of proxies whose X-Forwarded-For names the client; default none),
PARLEY_RATE_LIMIT (requests a second per API key or user, twice that at once; over it 429 with Retry-After; default off),
PARLEY_ROUTE_LIMITS (route budgets by name, e.g. login=5/5m,api=100/1m (ReplyX's), dialogs=60/1m (dialogs one key or user creates, across every dialect; the default); name=off for none),
PARLEY_STREAMS_PER_KEY (event streams and WebSockets one key, user or widget visitor holds open at once; over it 429; default 20, 0 for no cap),
PARLEY_LOG_FORMAT (text, the default, or json),
PARLEY_METRICS_ADDR (serve GET /metrics there instead of on the API's address; parley worker serves it only there),
PARLEY_EVENT_RETENTION (how long the event log keeps events for streams to resume from, and webhook deliveries that are done; default 7d),
PARLEY_SECRET_KEY (base64 of 32 bytes: seals webhook secrets, widget visitor tokens, integrations and the admins' AI tokens; parley dev makes one in its data directory),
PARLEY_SECRET_KEY_OLD (comma-separated old keys that still open what they sealed and verify what they signed, while rotating: see parley rotate-secrets --help),
PARLEY_LLM_BASE_URL, PARLEY_LLM_API_KEY (an OpenAI-compatible model API), PARLEY_LLM_MODEL (the model of bots that name none; default gpt-4o-mini),
PARLEY_WORKFLOW_CACHE (dev and worker: the dialogs whose workflows stay in memory between turns; one evicted replays its history on its next turn; default 2000),
PARLEY_WEBHOOK_LEASE (how long a dispatcher holds a webhook's stream or a claimed retry before another process may send it; default 1m),
PARLEY_BILLING (on: charge model calls to the project's account and refuse them when it is empty; default off), PARLEY_PRICES,
PARLEY_BILLING_LOW_BALANCE, PARLEY_BILLING_START_BONUS, PARLEY_BILLING_OFFERS, PARLEY_BILLING_ADMIN_TOKEN (see docs/worken/billing.md).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage+buildNote)
		return 2
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "dev":
		return runDev(args[1:], stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "worker":
		return runWorker(args[1:], stdout, stderr)
	case "temporal":
		return runTemporal(args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(args[1:], stdout, stderr)
	case "rotate-secrets":
		return runRotateSecrets(args[1:], stdout, stderr)
	case "bench":
		return runBench(args[1:], stdout, stderr)
	case "test":
		return runTest(args[1:], stdout, stderr)
	case "billing":
		return runBilling(args[1:], stdout, stderr)
	case "admin":
		return runAdmin(args[1:], stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage+buildNote)
		return 0
	}
	fmt.Fprintf(stderr, "parley: unknown command %q\n\n%s", args[0], usage+buildNote)
	return 2
}
