package devtemporal

import (
	"errors"
	"fmt"
	"os"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
)

// dbFile is the SQLite file inside Options.DataDir holding all Temporal state.
const dbFile = "temporal.db"

// prepareDatabase creates the schema if the file is new and registers the namespace if it is
// missing, so that every start after the first one reuses the existing state untouched.
func prepareDatabase(path, namespace string) (*config.SQL, error) {
	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode": "rwc", // read-write, create the file if missing
			// WAL lets readers proceed during a write; with synchronous=NORMAL a crash of the
			// process loses nothing, only a power cut may drop the last commits.
			"journal_mode": "wal",
			"synchronous":  "NORMAL",
		},
	}

	// The schema is applied only to a new file: SetupSchema is not idempotent ("table already
	// exists"), and the presence of the file is what the lite server and the CLI check too.
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			// Remove the half-initialised file so the next run retries the setup instead of
			// running on a broken schema.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
			return nil, fmt.Errorf("setting up the schema in %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("checking the database file: %w", err)
	}

	// CreateNamespaces skips namespaces that already exist. Registering it in the database
	// before the server starts avoids waiting for the namespace cache to pick it up.
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("configuring namespace %q: %w", namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("registering namespace %q: %w", namespace, err)
	}
	return sqlCfg, nil
}
