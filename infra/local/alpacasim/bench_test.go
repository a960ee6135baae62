package alpacasim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/market"
)

// BenchmarkBaselineHTTPRoundTrip is the floor the simulator benchmarks compare against: a
// bare net/http GET to a trivial handler over loopback.
func BenchmarkBaselineHTTPRoundTrip(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkSimPlaceOrder measures market orders placed and filled through the real v3
// trading client over loopback.
func BenchmarkSimPlaceOrder(b *testing.B) {
	s := start(b, alpacasim.Config{Seed: 1, Cash: decimal.NewFromInt(1_000_000_000_000)})
	one := decimal.NewFromInt(1)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		_, err := s.trade.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "QQQ", Qty: &one, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: fmt.Sprintf("bench-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimGetAccount measures a simple read through the real client.
func BenchmarkSimGetAccount(b *testing.B) {
	s := start(b, alpacasim.Config{Seed: 1})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.trade.GetAccount(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSymbols() []string {
	syms := []string{"QQQ", "TQQQ", "SQQQ", "UVXY", "BIL", "TLT", "SPY", "SOXL", "TECL", "UPRO"}
	for i := len(syms); i < 60; i++ {
		syms = append(syms, fmt.Sprintf("SYM%02d", i))
	}
	return syms
}

// BenchmarkSimBars60Symbols2Years is one multi-symbol, paginated request for 60 symbols and
// two years of daily bars through the real v3 market-data client.
func BenchmarkSimBars60Symbols2Years(b *testing.B) {
	s := start(b, alpacasim.Config{Seed: 1})
	syms := benchSymbols()
	req := marketdata.GetBarsRequest{Start: time.Date(2022, 3, 28, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC), PageLimit: 10000}
	if _, err := s.data.GetMultiBars(syms, req); err != nil { // warm the generator's cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		bars, err := s.data.GetMultiBars(syms, req)
		if err != nil || len(bars) != 60 {
			b.Fatal(len(bars), err)
		}
	}
}

// BenchmarkAdapterPlaceOrder measures PlaceOrder through the adapter (limiter off).
func BenchmarkAdapterPlaceOrder(b *testing.B) {
	s := start(b, alpacasim.Config{Seed: 1, Cash: decimal.NewFromInt(1_000_000_000_000)})
	c := adapter(b, s)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := c.PlaceOrder(ctx, buy(fmt.Sprintf("abench-%d", i), "QQQ", "1")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAdapterDailyBars60Symbols2Years is the strategy's bar request through the adapter,
// including the float-to-decimal conversion.
func BenchmarkAdapterDailyBars60Symbols2Years(b *testing.B) {
	s := start(b, alpacasim.Config{Seed: 1})
	c := adapter(b, s)
	var syms []market.Symbol
	for _, sym := range benchSymbols() {
		syms = append(syms, market.Symbol(sym))
	}
	from, to := time.Date(2022, 3, 28, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 27, 0, 0, 0, 0, time.UTC)
	if _, err := c.DailyBars(context.Background(), syms, from, to); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DailyBars(context.Background(), syms, from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandlerBars60Symbols2Years serves the four pages of the 60-symbol, two-year
// request in process (no network), isolating the simulator's own cost.
func BenchmarkHandlerBars60Symbols2Years(b *testing.B) {
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: thursday})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	q := url.Values{"symbols": {strings.Join(benchSymbols(), ",")}, "timeframe": {"1Day"}, "start": {"2022-03-28T00:00:00Z"}, "end": {"2024-03-27T00:00:00Z"}, "limit": {"10000"}}
	page := func() (string, int) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/v2/stocks/bars?"+q.Encode(), nil)
		r.Header.Set("APCA-API-KEY-ID", alpacasim.DefaultKeyID)
		r.Header.Set("APCA-API-SECRET-KEY", alpacasim.DefaultSecretKey)
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body.String())
		}
		var resp struct {
			Next *string `json:"next_page_token"`
		}
		body := rec.Body.Bytes()
		// The token sits at the end of the body; decode only that part.
		i := bytes.LastIndex(body, []byte(`"next_page_token"`))
		if err := json.Unmarshal(append([]byte("{"), body[i:]...), &resp); err != nil {
			b.Fatal(err)
		}
		if resp.Next == nil {
			return "", len(body)
		}
		return *resp.Next, len(body)
	}
	run := func() int {
		q.Del("page_token")
		total := 0
		for {
			tok, n := page()
			total += n
			if tok == "" {
				return total
			}
			q.Set("page_token", tok)
		}
	}
	run() // warm the generator
	b.ReportAllocs()
	for b.Loop() {
		b.SetBytes(int64(run()))
	}
}

// BenchmarkHandlerPlaceOrder places and fills a market order in process (no network).
func BenchmarkHandlerPlaceOrder(b *testing.B) {
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: thursday, Cash: decimal.NewFromInt(1_000_000_000_000)})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		body := fmt.Sprintf(`{"symbol":"QQQ","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"h-%d"}`, i)
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/v2/orders", strings.NewReader(body))
		r.Header.Set("APCA-API-KEY-ID", alpacasim.DefaultKeyID)
		r.Header.Set("APCA-API-SECRET-KEY", alpacasim.DefaultSecretKey)
		h.ServeHTTP(rec, r)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
