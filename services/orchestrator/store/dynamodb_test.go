package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/dynamotest"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
	"github.com/alchemiser/alchemiser/services/orchestrator/store/storetest"
)

// TestDynamoDB runs the same contract suite as the memory and SQLite stores, against dynalite.
func TestDynamoDB(t *testing.T) {
	client := dynamotest.Start(t)
	var n atomic.Int64
	storetest.Run(t, func(t *testing.T) store.Store {
		table := fmt.Sprintf("workflows-%d", n.Add(1))
		dynamotest.CreateTable(t, client, table)
		return store.NewDynamoDB(client, table)
	})
}

// TestDynamoDBLargeRecords checks the 400 KB item limit: a large but compressible record
// round-trips (stored compressed), and one that does not fit even compressed fails with
// ErrTooLarge before DynamoDB sees it.
func TestDynamoDBLargeRecords(t *testing.T) {
	client := dynamotest.Start(t)
	dynamotest.CreateTable(t, client, "workflows")
	s := store.NewDynamoDB(client, "workflows")
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	payload := func(n int, compressible bool) json.RawMessage {
		if compressible {
			return json.RawMessage(fmt.Sprintf(`{"orders":%q}`, strings.Repeat(`{"symbol":"SPY","qty":"1.5"},`, n/30)))
		}
		b := make([]byte, n*3/4)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return json.RawMessage(fmt.Sprintf(`{"blob":%q}`, base64.StdEncoding.EncodeToString(b)))
	}
	tests := []struct {
		name         string
		size         int
		compressible bool
		wantErr      error
	}{
		{"small", 1 << 10, false, nil},
		{"1 MB of event JSON is compressed", 1 << 20, true, nil},
		{"600 KB of random data does not fit", 600 << 10, false, store.ErrTooLarge},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("wf-%d", i)
			r := store.Record{CorrelationID: id, State: store.StateStarted, StartedAt: t0, UpdatedAt: t0,
				Events: []store.Event{{EventID: "e1", Type: "TradeExecuted", At: t0, Payload: payload(tt.size, tt.compressible)}}}
			err := s.Create(ctx, r)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("create: %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			got, err := s.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Events[0].Payload) != string(r.Events[0].Payload) {
				t.Fatalf("payload of %d bytes came back as %d bytes", len(r.Events[0].Payload), len(got.Events[0].Payload))
			}
			// An update rewrites the item whole, so it may change between plain and compressed.
			got.Events = got.Events[:0]
			if _, err := s.Update(ctx, got); err != nil {
				t.Fatalf("update: %v", err)
			}
			again, err := s.Get(ctx, id)
			if err != nil || len(again.Events) != 0 || again.Version != 2 {
				t.Fatalf("after update: %+v, %v", again, err)
			}
			list, err := s.List(ctx, store.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				t.Fatal("list is empty")
			}
		})
	}
}
