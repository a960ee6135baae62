package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// itemTable is a hand-written DynamoDBAPI that keeps items and ignores conditions: enough to
// measure the store's own encoding without a server, and to feed it arbitrary items.
type itemTable struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
}

var _ store.DynamoDBAPI = (*itemTable)(nil)

func (t *itemTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.items[in.Item["pk"].(*types.AttributeValueMemberS).Value] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (t *itemTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return &dynamodb.GetItemOutput{Item: t.items[in.Key["pk"].(*types.AttributeValueMemberS).Value]}, nil
}

func (t *itemTable) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := &dynamodb.ScanOutput{}
	for _, it := range t.items {
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// BenchmarkDynamoDBTransition measures one workflow transition's store work (Get, then Update)
// for a record holding four events with payloads of the given size, without the network.
func BenchmarkDynamoDBTransition(b *testing.B) {
	for _, size := range []int{2 << 10, 128 << 10} {
		b.Run(fmt.Sprintf("payload=%dKB", size>>10), func(b *testing.B) {
			ctx := context.Background()
			s := store.NewDynamoDB(&itemTable{items: map[string]map[string]types.AttributeValue{}}, "workflows")
			t0 := time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)
			payload := json.RawMessage(fmt.Sprintf(`{"orders":%q}`, strings.Repeat(`{"symbol":"SPY","qty":"1.5","status":"filled"},`, size/48)))
			r := store.Record{CorrelationID: "wf-1", State: store.StateStarted, StartedAt: t0, UpdatedAt: t0}
			for i := 0; i < 4; i++ {
				r.Events = append(r.Events, store.Event{EventID: fmt.Sprint("e", i), Type: "TradeExecuted", At: t0, Payload: payload})
			}
			if err := s.Create(ctx, r); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				got, err := s.Get(ctx, "wf-1")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Update(ctx, got); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzDynamoDBItem feeds arbitrary record attributes, plain and as gzip, to Get: it returns a
// record or an error, never panics.
func FuzzDynamoDBItem(f *testing.F) {
	f.Add([]byte(`{"correlation_id":"wf-1","version":1,"state":"Started","events":[]}`), false)
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"), true)
	f.Add([]byte(`{"events":[{"payload":nul`), false)
	f.Fuzz(func(t *testing.T, b []byte, gz bool) {
		item := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "wf-1"}}
		if gz {
			item["record_gz"] = &types.AttributeValueMemberB{Value: b}
		} else {
			item["record"] = &types.AttributeValueMemberS{Value: string(b)}
		}
		s := store.NewDynamoDB(&itemTable{items: map[string]map[string]types.AttributeValue{"wf-1": item}}, "workflows")
		_, _ = s.Get(context.Background(), "wf-1")
		_, _ = s.List(context.Background(), store.Filter{OpenOnly: true})
	})
}
