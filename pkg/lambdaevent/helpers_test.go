package lambdaevent_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

var at = time.Date(2026, 11, 27, 14, 35, 0, 0, time.UTC)

// envelope wraps e as EventBridge delivers it.
func envelope(t testing.TB, e v1.Event) []byte {
	t.Helper()
	b, err := v1.Wrap(e, "8f0e4b5a-0000-4000-8000-000000000001", "123456789012", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func bare(t testing.TB, e v1.Event) []byte {
	t.Helper()
	b, err := v1.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logBuffer is a concurrency-safe buffer of JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the logged records.
func (b *logBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// withLevel returns the records at level.
func withLevel(recs []map[string]any, level string) []map[string]any {
	var out []map[string]any
	for _, r := range recs {
		if r["level"] == level {
			out = append(out, r)
		}
	}
	return out
}

func newLogger(level slog.Level) (*slog.Logger, *logBuffer) {
	var b logBuffer
	return logging.New(&b, level), &b
}

func newSQLiteStore(t testing.TB) *idempotency.SQLite {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "idem.db"))
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
