package sqldb

import "testing"

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		name, query, want string
	}{
		{"none", `SELECT 1`, `SELECT 1`},
		{"in order", `UPDATE t SET a = ?, b = ? WHERE id = ?`, `UPDATE t SET a = $1, b = $2 WHERE id = $3`},
		{"in a string", `SELECT '?' || ? FROM t WHERE a = 'it''s ?' AND b = ?`, `SELECT '?' || $1 FROM t WHERE a = 'it''s ?' AND b = $2`},
		{"in an identifier", `SELECT "a?" FROM t WHERE b = ?`, `SELECT "a?" FROM t WHERE b = $1`},
		{"a list", `IN (` + marks(3) + `)`, `IN ($1, $2, $3)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := number(c.query); got != c.want {
				t.Errorf("number(%q)\n got %q\nwant %q", c.query, got, c.want)
			}
		})
	}
}

func TestRebindCaches(t *testing.T) {
	d := &DB{dialect: Dialect{Numbered: true}}
	const q = `SELECT ? FROM t`
	if got := d.rebind(q); got != `SELECT $1 FROM t` {
		t.Fatalf("rebind = %q", got)
	}
	if _, ok := d.rebound.Load(q); !ok {
		t.Error("rebind did not keep the rewritten query")
	}
	if got := (&DB{}).rebind(q); got != q {
		t.Errorf("rebind without Numbered = %q, want the query as it is", got)
	}
}
