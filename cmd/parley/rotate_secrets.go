package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

const rotateUsage = `Usage: parley rotate-secrets [--database URL] [--data DIR]

Seals every secret the database keeps (webhook signing secrets, integrations' credentials, the AI
tokens' keys) again under the current secret key: PARLEY_SECRET_KEY, or for parley dev without it the
key file under --data. Each opens under that key or under one of PARLEY_SECRET_KEY_OLD (comma-separated
base64 keys). If any value opens under none, nothing is changed. Running it again changes nothing.

To rotate: restart every process with the new PARLEY_SECRET_KEY and the old key in
PARLEY_SECRET_KEY_OLD; run parley rotate-secrets; once it reports 0 left under old keys, and signed-in
users and widget visitors have had their tokens renewed, remove PARLEY_SECRET_KEY_OLD and restart.
The database is PARLEY_DATABASE_URL (--database), else the SQLite file of parley dev under --data.
`

// resealBatch bounds the values re-sealed in one transaction.
const resealBatch = 500

// runRotateSecrets runs `parley rotate-secrets`.
func runRotateSecrets(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rotate-secrets", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rotateUsage) }
	database := stringFlag(fs, "database", "PARLEY_DATABASE_URL", "", "postgres:// URL, or a SQLite file path")
	data := stringFlag(fs, "data", "PARLEY_DATA", ".data", "parley dev's data directory, when there is no --database")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprint(stderr, rotateUsage)
		return 2
	}
	dsn, keyDir := *database, ""
	if dsn == "" {
		dsn, keyDir = filepath.Join(*data, "parley.db"), *data
	}
	box, err := rotationBox(keyDir)
	return exitOn(stderr, "rotate-secrets", err, func(ctx context.Context) error {
		db, err := openStore(ctx, dsn)
		if err != nil {
			return fmt.Errorf("opening the database: %w", err)
		}
		defer db.Close()
		return rotateSecrets(ctx, db, box, stdout)
	})
}

// rotationBox is the current key with the old ones. Unlike the server it
// never makes a key file: sealing under a key nobody else has would lose
// every secret.
func rotationBox(keyDir string) (*secretbox.Box, error) {
	key, err := secretbox.KeyFromEnv()
	if err == nil && key == nil && keyDir != "" {
		path := filepath.Join(keyDir, "secret.key")
		if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) {
			key, err = secretbox.LoadOrCreateKey(path)
		}
	}
	if err != nil {
		return nil, err
	}
	if key == nil {
		return nil, fmt.Errorf("set %s to the new secret key (and %s to the old ones)", secretbox.EnvKey, secretbox.EnvOldKeys)
	}
	return secretbox.FromEnv(key)
}

// rotateSecrets re-seals under box's current key every sealed value that
// only an old key opens, having checked that every value opens, and
// reports the counts. Values written meanwhile under an old key (by a
// process still running with it) are counted as left, and fail it.
func rotateSecrets(ctx context.Context, db store.SealedSecrets, box *secretbox.Box, stdout io.Writer) error {
	all, err := db.SealedSecrets(ctx)
	if err != nil {
		return err
	}
	byKind := map[string][]store.SealedSecret{}
	current := 0
	var unopened []string
	for _, s := range all {
		out, changed, err := box.Reseal(s.Sealed)
		switch {
		case err != nil:
			unopened = append(unopened, describeSealed(s))
		case changed:
			s.Resealed = out
			byKind[s.Kind] = append(byKind[s.Kind], s)
		default:
			current++
		}
	}
	if len(unopened) > 0 {
		return fmt.Errorf("%d sealed values open under no given key, so nothing was changed: %s. "+
			"Add the key they were sealed with to %s, or delete them (they cannot be read anyway) and run this again",
			len(unopened), strings.Join(first(unopened, 10), "; "), secretbox.EnvOldKeys)
	}
	done := map[string]int{}
	for _, kind := range store.SealedKinds {
		for rs := byKind[kind]; len(rs) > 0; rs = rs[min(len(rs), resealBatch):] {
			n, err := db.ResealSecrets(ctx, rs[:min(len(rs), resealBatch)])
			if err != nil {
				return fmt.Errorf("re-sealing (%s so far; running it again carries on): %w", sealedCounts(done), err)
			}
			done[kind] += n
		}
	}
	left, err := leftUnderOldKeys(ctx, db, box)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Re-sealed %s; %d already under the current key; %d left under old keys.\n", sealedCounts(done), current, left)
	if left > 0 {
		return fmt.Errorf("%d values were written under an old key meanwhile: restart every process with the new %s, then run this again",
			left, secretbox.EnvKey)
	}
	return nil
}

// leftUnderOldKeys counts the values the current key does not open.
func leftUnderOldKeys(ctx context.Context, db store.SealedSecrets, box *secretbox.Box) (int, error) {
	all, err := db.SealedSecrets(ctx)
	if err != nil {
		return 0, err
	}
	left := 0
	for _, s := range all {
		if _, changed, err := box.Reseal(s.Sealed); err != nil || changed {
			left++
		}
	}
	return left, nil
}

// sealedCounts says "12 webhook secrets, 3 integrations, 1 AI token".
func sealedCounts(n map[string]int) string {
	hooks := n[store.SealedWebhookSecret] + n[store.SealedWebhookPrevious]
	return strings.Join([]string{plural(hooks, "webhook secret"), plural(n[store.SealedIntegration], "integration"),
		plural(n[store.SealedAIToken], "AI token")}, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// describeSealed names a sealed value for the operator.
func describeSealed(s store.SealedSecret) string {
	switch s.Kind {
	case store.SealedWebhookSecret:
		return "webhook " + s.Ref + "'s secret"
	case store.SealedWebhookPrevious:
		return "webhook " + s.Ref + "'s previous secret"
	case store.SealedIntegration:
		return "integration " + s.Ref
	case store.SealedAIToken:
		return fmt.Sprintf("AI token %q (id %d)", s.Ref, s.ID)
	}
	return fmt.Sprintf("%s %d", s.Kind, s.ID)
}

// first is at most n of list, saying how many more there are.
func first(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("and %d more", len(list)-n))
}
