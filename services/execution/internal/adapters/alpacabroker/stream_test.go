package alpacabroker_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/execution/internal/adapters/alpacabroker"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// TestStreamReconnects serves a stream that drops after one update; the watcher must reconnect,
// asking for the updates since the last one, and deliver the next.
func TestStreamReconnects(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/events/trades" || r.Header.Get("APCA-API-KEY-ID") != "k" {
			http.Error(w, `{"code":40410000,"message":"not found"}`, http.StatusNotFound)
			return
		}
		mu.Lock()
		queries = append(queries, r.URL.Query().Get("since"))
		n := len(queries)
		mu.Unlock()
		if n == 2 {
			http.Error(w, `{"code":50010000,"message":"busy"}`, http.StatusInternalServerError) // a failed reconnect
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		at := time.Date(2026, 11, 24, 15, 0, n, 0, time.UTC).Format(time.RFC3339Nano)
		fmt.Fprintf(w, "data: {\"at\":%q,\"event\":\"fill\",\"order\":{\"id\":\"o%d\",\"client_order_id\":\"c%d\",\"symbol\":\"SPY\",\"side\":\"buy\",\"type\":\"market\",\"status\":\"filled\",\"qty\":\"2\",\"filled_qty\":\"2\",\"filled_avg_price\":\"101.5\"}}\n\n", at, n, n)
		w.(http.Flusher).Flush()
		if n >= 3 {
			<-r.Context().Done() // stay open
		}
	}))
	defer srv.Close()
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: srv.URL, DataURL: srv.URL, KeyID: "k", SecretKey: "s", Feed: "iex", Stage: "local"},
		alpacaclient.Options{Limiter: rate.NewLimiter(rate.Inf, 0), Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	if err != nil {
		t.Fatal(err)
	}
	s := alpacabroker.NewStream(c, nil)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan domain.Order, 10)
	done := make(chan struct{})
	go func() {
		s.Watch(ctx, time.Time{}, func(o domain.Order) { got <- o })
		close(done)
	}()
	var orders []domain.Order
	for len(orders) < 2 {
		select {
		case o := <-got:
			orders = append(orders, o)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d updates", len(orders))
		}
	}
	cancel()
	<-done
	if orders[0].ClientOrderID != "c1" || orders[1].ClientOrderID != "c3" || orders[1].Status != domain.StatusFilled || !orders[1].AvgPrice.Equal(orders[1].AvgPrice) || orders[1].FilledQty.String() != "2" {
		t.Fatalf("orders %+v", orders)
	}
	mu.Lock()
	defer mu.Unlock()
	if queries[0] != "" || queries[2] == "" {
		t.Fatalf("since parameters %q: want none first, then the last update's time", queries)
	}
}
