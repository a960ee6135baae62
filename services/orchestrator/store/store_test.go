package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
	"github.com/alchemiser/alchemiser/services/orchestrator/store/storetest"
)

func TestMemory(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "wf.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := store.NewSQLite(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
