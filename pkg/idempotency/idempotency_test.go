package idempotency_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/idempotency/idempotencytest"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

var at = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func TestMemory(t *testing.T) {
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store { return idempotency.NewMemory() })
}

func newSQLite(t testing.TB, path string) *idempotency.SQLite {
	t.Helper()
	db, err := sqlitedb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := idempotency.NewSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSQLiteFile(t *testing.T) {
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
		return newSQLite(t, filepath.Join(t.TempDir(), "idem.db"))
	})
}

func TestSQLiteMemory(t *testing.T) {
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store { return newSQLite(t, sqlitedb.Memory) })
}

// TestSQLiteSharedFile checks that two stores on one file (two processes of the local runtime)
// see each other's claims.
func TestSQLiteSharedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "idem.db")
	a, b := newSQLite(t, path), newSQLite(t, path)
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	if r, err := a.Claim(ctx, "k", "a", now, time.Minute); err != nil || r != idempotency.Acquired {
		t.Fatalf("a.Claim: %v, %v", r, err)
	}
	if r, err := b.Claim(ctx, "k", "b", now, time.Minute); err != nil || r != idempotency.InProgress {
		t.Fatalf("b.Claim: %v, %v; want in progress", r, err)
	}
}

func TestSweep(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	m := idempotency.NewMemory()
	s := newSQLite(t, sqlitedb.Memory)
	for _, st := range []idempotency.Store{m, s} {
		for i, k := range []string{"a", "b"} {
			if _, err := st.Claim(ctx, k, "o", now, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := st.Complete(ctx, k, "o", now, time.Duration(i+1)*time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := m.Sweep(now.Add(time.Hour)); n != 1 || m.Len() != 1 {
		t.Errorf("memory Sweep: removed %d, %d left; want 1, 1", n, m.Len())
	}
	if n, err := s.Sweep(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("sqlite Sweep: removed %d, %v; want 1", n, err)
	}
}

func TestClaimResultString(t *testing.T) {
	for r, want := range map[idempotency.ClaimResult]string{idempotency.Acquired: "acquired", idempotency.InProgress: "in progress",
		idempotency.Done: "done", 0: "ClaimResult(0)"} {
		if got := r.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(r), got, want)
		}
	}
}

func benchmarkClaimComplete(b *testing.B, s idempotency.Store) {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := fmt.Sprintf("bench/%d", i)
		if _, err := s.Claim(ctx, k, "o", now, time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := s.Complete(ctx, k, "o", now, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClaimCompleteMemory(b *testing.B) { benchmarkClaimComplete(b, idempotency.NewMemory()) }

func BenchmarkClaimCompleteSQLiteMemory(b *testing.B) {
	benchmarkClaimComplete(b, newSQLite(b, sqlitedb.Memory))
}

func BenchmarkClaimCompleteSQLiteFile(b *testing.B) {
	benchmarkClaimComplete(b, newSQLite(b, filepath.Join(b.TempDir(), "idem.db")))
}

func TestMemorySweepsWhileClaiming(t *testing.T) {
	ctx := context.Background()
	m := idempotency.NewMemory()
	for i := range 5000 {
		k := fmt.Sprint(i)
		if _, err := m.Claim(ctx, k, "o", at.Add(time.Duration(i)*time.Second), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if m.Len() >= 5000 {
		t.Fatalf("%d keys held, want expired leases swept", m.Len())
	}
}
