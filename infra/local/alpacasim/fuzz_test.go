package alpacasim_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
)

func fuzzServer(f *testing.F) http.Handler {
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: thursday})
	if err != nil {
		f.Fatal(err)
	}
	return srv.Handler()
}

func authed(r *http.Request) *http.Request {
	r.Header.Set("APCA-API-KEY-ID", alpacasim.DefaultKeyID)
	r.Header.Set("APCA-API-SECRET-KEY", alpacasim.DefaultSecretKey)
	return r
}

// FuzzOrderBody feeds arbitrary bodies to POST /v2/orders: the answer is never a 5xx, and
// errors use Alpaca's body.
func FuzzOrderBody(f *testing.F) {
	h := fuzzServer(f)
	f.Add(`{"symbol":"SPY","qty":"1","side":"buy","type":"market","time_in_force":"day","client_order_id":"a"}`)
	f.Add(`{"symbol":"SPY","notional":"0.5","side":"sell","type":"limit","limit_price":"-1","time_in_force":"gtc"}`)
	f.Add(`{"symbol":"","qty":1e400}`)
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, authed(httptest.NewRequest("POST", "/v2/orders", strings.NewReader(body))))
		if rec.Code >= 500 {
			t.Fatalf("POST /v2/orders %q: %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), `"code":`) {
			t.Fatalf("error without Alpaca's body: %d %s", rec.Code, rec.Body)
		}
	})
}

// FuzzBarsQuery feeds arbitrary query parameters to GET /v2/stocks/bars.
func FuzzBarsQuery(f *testing.F) {
	h := fuzzServer(f)
	f.Add("QQQ,TQQQ", "2024-01-01", "2024-03-01T00:00:00Z", "10", "UVFRUXwyMDI0LTAxLTEw", "asc")
	f.Add("", "x", "", "-1", "%%%", "desc")
	f.Fuzz(func(t *testing.T, symbols, start, end, limit, token, sort string) {
		q := url.Values{"symbols": {symbols}, "start": {start}, "end": {end}, "limit": {limit}, "page_token": {token}, "sort": {sort}, "timeframe": {"1Day"}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, authed(httptest.NewRequest("GET", "/v2/stocks/bars?"+q.Encode(), nil)))
		if rec.Code >= 500 {
			t.Fatalf("bars %v: %d %s", q, rec.Code, rec.Body)
		}
	})
}
