package sqlitedb_test

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

func TestOpenFileSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "x.db")
	db, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, want := range map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "busy_timeout": "5000"} {
		var got string
		if err := db.QueryRow("PRAGMA " + name).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
		}
	}
}

func TestMemorySharesOneDatabase(t *testing.T) {
	db, err := sqlitedb.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.Exec(`INSERT INTO t VALUES (?)`, i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 8 {
		t.Fatalf("count %d, %v; want 8 rows seen through every connection", n, err)
	}
}

func TestConcurrentWritersOnAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	a, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Exec(`CREATE TABLE c (k TEXT PRIMARY KEY, n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(`INSERT INTO c VALUES ('x', 0)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Read-modify-write in a transaction: BEGIN IMMEDIATE makes it safe.
			tx, err := db.Begin()
			if err != nil {
				errs <- err
				return
			}
			defer tx.Rollback()
			var n int
			if err := tx.QueryRow(`SELECT n FROM c WHERE k = 'x'`).Scan(&n); err != nil {
				errs <- err
				return
			}
			if _, err := tx.Exec(`UPDATE c SET n = ? WHERE k = 'x'`, n+1); err != nil {
				errs <- err
				return
			}
			if err := tx.Commit(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n int
	if err := a.QueryRow(`SELECT n FROM c WHERE k = 'x'`).Scan(&n); err != nil || n != 20 {
		t.Fatalf("counter %d, %v; want 20 (no lost updates)", n, err)
	}
}

func TestOpenRejects(t *testing.T) {
	for _, path := range []string{"", "a?b.db", "x#y"} {
		if db, err := sqlitedb.Open(path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		} else if path != "" && !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the path", err)
		}
	}
}
