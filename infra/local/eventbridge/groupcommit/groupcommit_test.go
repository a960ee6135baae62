package groupcommit_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

func open(t testing.TB) (*sql.DB, *groupcommit.Committer) {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "gc.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	c, err := groupcommit.New(context.Background(), db, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		_ = db.Close()
	})
	return db, c
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailingWriteFailsAlone runs many concurrent writes, some failing (duplicate keys): every
// good write is committed, every bad one reports its error.
func TestFailingWriteFailsAlone(t *testing.T) {
	db, c := open(t)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i
			if i%10 == 9 {
				k = 0 // duplicate of write 0: fails
			}
			errs[i] = c.Do(context.Background(), func(tx *groupcommit.Tx) error {
				_, err := tx.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, k, "x")
				return err
			})
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
		}
	}
	if failed != 20 {
		t.Errorf("failed writes = %d, want 20", failed)
	}
	if n := count(t, db); n != 180 {
		t.Errorf("rows = %d, want 180", n)
	}
}

func TestGoReportsErrorsAndCloseFlushes(t *testing.T) {
	db, c := open(t)
	got := make(chan error, 1)
	boom := errors.New("boom")
	c.Go(func(*groupcommit.Tx) error { return boom }, func(err error) { got <- err })
	if err := <-got; !errors.Is(err, boom) {
		t.Errorf("onErr got %v", err)
	}
	for i := range 50 {
		c.Go(func(tx *groupcommit.Tx) error {
			_, err := tx.Exec(`INSERT INTO kv (k, v) VALUES (?, 'y')`, i)
			return err
		}, nil)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 50 {
		t.Errorf("rows after Close = %d, want 50", n)
	}
	if err := c.Do(context.Background(), func(*groupcommit.Tx) error { return nil }); !errors.Is(err, groupcommit.ErrClosed) {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
}

// BenchmarkDo measures a durable single-row write under concurrency, batched by group commit.
func BenchmarkDo(b *testing.B) {
	_, c := open(b)
	var k sync.Mutex
	next := 0
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k.Lock()
			next++
			key := next
			k.Unlock()
			if err := c.Do(context.Background(), func(tx *groupcommit.Tx) error {
				_, err := tx.Exec(`INSERT INTO kv (k, v) VALUES (?, 'payload of a typical event row')`, key)
				return err
			}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
