package sentstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore/sentstoretest"
)

func TestMemory(t *testing.T) {
	sentstoretest.Run(t, func(*testing.T) sentstore.Store { return sentstore.NewMemory() })
}

func TestSQLite(t *testing.T) {
	sentstoretest.Run(t, func(t *testing.T) sentstore.Store {
		db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "sent.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s, err := sentstore.NewSQLite(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
