package alpacaclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
)

func TestConfigValidate(t *testing.T) {
	ok := alpacaclient.Config{TradingURL: alpacaclient.PaperTradingURL, DataURL: "https://data.alpaca.markets", KeyID: "k", SecretKey: "s", Feed: "iex"}
	live := ok
	live.TradingURL = alpacaclient.LiveTradingURL
	tests := []struct {
		name    string
		mod     func(c *alpacaclient.Config)
		wantErr string
	}{
		{"paper", func(c *alpacaclient.Config) {}, ""},
		{"live without opt-ins", func(c *alpacaclient.Config) { *c = live }, "set both ALPACA_LIVE=true and STAGE=prod"},
		{"live with only ALPACA_LIVE", func(c *alpacaclient.Config) { *c = live; c.Live = true; c.Stage = "dev" }, "set both ALPACA_LIVE=true and STAGE=prod"},
		{"live with only STAGE=prod", func(c *alpacaclient.Config) { *c = live; c.Stage = "prod" }, "set both ALPACA_LIVE=true and STAGE=prod"},
		{"live with both", func(c *alpacaclient.Config) { *c = live; c.Live = true; c.Stage = "prod" }, ""},
		{"live with a trailing slash", func(c *alpacaclient.Config) { *c = live; c.TradingURL += "/" }, "live trading refused"},
		{"missing trading URL", func(c *alpacaclient.Config) { c.TradingURL = "" }, "set ALPACA_TRADING_URL"},
		{"missing secret", func(c *alpacaclient.Config) { c.SecretKey = "" }, "set ALPACA_SECRET_KEY"},
		{"bad URL", func(c *alpacaclient.Config) { c.DataURL = "data.alpaca.markets" }, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v, want it to contain %q", err, tt.wantErr)
			}
			if _, nerr := alpacaclient.New(c, alpacaclient.Options{}); nerr == nil {
				t.Fatalf("New accepted a config Validate refuses")
			}
		})
	}
}

func TestLiveRefusedErrorIs(t *testing.T) {
	c := alpacaclient.Config{TradingURL: alpacaclient.LiveTradingURL, DataURL: "https://data.alpaca.markets", KeyID: "k", SecretKey: "s", Feed: "iex"}
	if err := c.Validate(); !errors.Is(err, alpacaclient.ErrLiveTradingRefused) {
		t.Fatalf("err = %v, want ErrLiveTradingRefused", err)
	}
}

func TestLoadConfig(t *testing.T) {
	env := map[string]string{"ALPACA_TRADING_URL": alpacaclient.LiveTradingURL, "ALPACA_DATA_URL": "https://data.alpaca.markets",
		"ALPACA_KEY_ID": "k", "ALPACA_SECRET_KEY": "supersecret", "ALPACA_LIVE": "true", "STAGE": "prod"}
	c, err := alpacaclient.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.Feed != "iex" || !c.Live {
		t.Errorf("config = %v", c)
	}
	if s := c.String(); strings.Contains(s, "supersecret") {
		t.Errorf("String() leaks the secret: %s", s)
	}
	env["STAGE"] = "dev"
	if _, err := alpacaclient.LoadConfig(func(k string) string { return env[k] }); !errors.Is(err, alpacaclient.ErrLiveTradingRefused) {
		t.Errorf("dev stage with live URL: err = %v", err)
	}
	env["ALPACA_LIVE"] = "maybe"
	if _, err := alpacaclient.LoadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "ALPACA_LIVE") {
		t.Errorf("bad ALPACA_LIVE: err = %v", err)
	}
}

// fakeBroker is a tiny scripted server for error mapping tests; the simulator covers the rest.
type fakeBroker struct {
	mu      sync.Mutex
	posts   int
	bodies  []string
	script  []func(w http.ResponseWriter) // answers to successive POST /v2/orders
	orders  map[string]string             // client id -> order JSON
	lookups int
}

func (f *fakeBroker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/orders":
		b, _ := io.ReadAll(r.Body)
		f.bodies = append(f.bodies, string(b))
		n := f.posts
		f.posts++
		if n < len(f.script) && f.script[n] != nil {
			f.script[n](w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		body := `{"id":"o1","client_order_id":"c1","symbol":"SPY","side":"buy","type":"market","time_in_force":"day","status":"new","qty":"1","filled_qty":"0"}`
		f.orders["c1"] = body
		io.WriteString(w, body)
	case r.URL.Path == "/v2/orders:by_client_order_id":
		f.lookups++
		if body, ok := f.orders[r.URL.Query().Get("client_order_id")]; ok {
			io.WriteString(w, body)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":40410000,"message":"order not found"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":40410000,"message":"endpoint not found"}`)
	}
}

func newTestClient(t *testing.T, url string) *alpacaclient.Client {
	t.Helper()
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: url, DataURL: url, KeyID: "k", SecretKey: "s", Feed: "iex"}, alpacaclient.Options{
		Limiter:            rate.NewLimiter(rate.Inf, 0),
		Sleep:              func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		UpstreamRetryDelay: time.Microsecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func buyReq() alpacaclient.OrderRequest {
	q := market.NewQty(decimal.NewFromInt(1))
	return alpacaclient.OrderRequest{ClientOrderID: "c1", Symbol: "SPY", Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: &q}
}

func TestPlaceOrderErrors(t *testing.T) {
	answer := func(status int, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) { w.WriteHeader(status); io.WriteString(w, body) }
	}
	tests := []struct {
		name      string
		script    []func(w http.ResponseWriter)
		wantErr   error
		wantPosts int
	}{
		{"buying power", []func(http.ResponseWriter){answer(403, `{"code":40310000,"message":"insufficient buying power"}`)}, alpacaclient.ErrInsufficientBuyingPower, 1},
		{"qty", []func(http.ResponseWriter){answer(403, `{"code":40310000,"message":"insufficient qty available for order (requested: 2, available: 1)"}`)}, alpacaclient.ErrInsufficientQty, 1},
		{"fractional", []func(http.ResponseWriter){answer(422, `{"code":42210000,"message":"fractional orders must be DAY orders"}`)}, alpacaclient.ErrInvalidOrder, 1},
		{"unauthorized", []func(http.ResponseWriter){answer(401, `{"code":40110000,"message":"request is not authorized"}`)}, alpacaclient.ErrUnauthorized, 1},
		// The upstream client retries a 429 with an empty body, which fails in the transport;
		// the adapter looks the order up (absent) and resubmits once.
		{"429 then ok", []func(http.ResponseWriter){answer(429, `{"code":42910000,"message":"rate limit exceeded"}`)}, nil, 2},
		{"500 then ok", []func(http.ResponseWriter){answer(500, `{"code":50010000,"message":"internal"}`)}, nil, 2},
		{"non-JSON 502 then ok", []func(http.ResponseWriter){answer(502, `bad gateway`)}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBroker{script: tt.script, orders: map[string]string{}}
			srv := httptest.NewServer(fb)
			defer srv.Close()
			_, err := newTestClient(t, srv.URL).PlaceOrder(context.Background(), buyReq())
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("PlaceOrder err = %v, want %v", err, tt.wantErr)
			}
			if fb.posts != tt.wantPosts {
				t.Errorf("posts = %d, want %d", fb.posts, tt.wantPosts)
			}
			for i, b := range fb.bodies {
				if !strings.Contains(b, `"client_order_id":"c1"`) {
					t.Errorf("post %d body lacks the client order id: %s", i, b)
				}
			}
		})
	}
}

func TestPlaceOrderRequiresClientOrderID(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	r := buyReq()
	r.ClientOrderID = ""
	if _, err := c.PlaceOrder(context.Background(), r); !errors.Is(err, alpacaclient.ErrInvalidOrder) {
		t.Fatalf("err = %v", err)
	}
	r = buyReq()
	r.ClientOrderID = strings.Repeat("x", 129)
	if _, err := c.PlaceOrder(context.Background(), r); !errors.Is(err, alpacaclient.ErrInvalidOrder) {
		t.Fatalf("err = %v", err)
	}
}

func ExampleConfig_Validate() {
	c := alpacaclient.Config{TradingURL: alpacaclient.LiveTradingURL, DataURL: "https://data.alpaca.markets", KeyID: "k", SecretKey: "s", Feed: "iex", Stage: "dev"}
	fmt.Println(c.Validate())
	// Output: alpaca config: live trading refused: TradingURL https://api.alpaca.markets is the live (real money) API; to trade live set both ALPACA_LIVE=true and STAGE=prod (now ALPACA_LIVE=false, STAGE="dev"); otherwise use https://paper-api.alpaca.markets
}
