package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/parleyhq/parley/store"
)

const adminUsage = `Usage: parley admin grant|revoke [--database URL] [--data DIR] EMAIL

Makes the user with EMAIL an administrator of the installation (grant), or no longer one (revoke).
Administrators may call the admin routes (GET /api/admin/users, the AI-token pool, system health).
parley dev makes its PARLEY_ADMIN_EMAIL user one at every start. The database is PARLEY_DATABASE_URL
(--database), else the SQLite file of parley dev under --data.
`

// runAdmin runs `parley admin grant|revoke EMAIL`.
func runAdmin(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "grant" && args[0] != "revoke") {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	fs := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	dsn := databaseFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	grant := args[0] == "grant"
	return exitOn(stderr, "admin "+args[0], nil, func(ctx context.Context) error {
		return setAdmin(ctx, dsn(), fs.Arg(0), grant, stdout)
	})
}

func setAdmin(ctx context.Context, dsn, email string, grant bool, stdout io.Writer) error {
	db, err := openStore(ctx, dsn)
	if err != nil {
		return fmt.Errorf("opening the database: %w", err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, email)
	if err == nil {
		err = db.SetAdmin(ctx, u.ID, grant)
	}
	if code := store.ErrorCode(err); code != "" && code != store.EINTERNAL {
		return fmt.Errorf("%s", store.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if grant {
		fmt.Fprintf(stdout, "%s is an administrator.\n", u.Email)
	} else {
		fmt.Fprintf(stdout, "%s is no longer an administrator.\n", u.Email)
	}
	return nil
}

// databaseFlags adds --database and --data to fs; the function returned
// gives, once fs is parsed, the database to open: --database
// (PARLEY_DATABASE_URL), else parley dev's SQLite file under --data.
func databaseFlags(fs *flag.FlagSet) func() string {
	database := stringFlag(fs, "database", "PARLEY_DATABASE_URL", "", "postgres:// URL, or a SQLite file path")
	data := stringFlag(fs, "data", "PARLEY_DATA", ".data", "parley dev's data directory, when there is no --database")
	return func() string {
		if *database != "" {
			return *database
		}
		return filepath.Join(*data, "parley.db")
	}
}
