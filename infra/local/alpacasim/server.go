package alpacasim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Server is the simulator. Create it with New; it is safe for concurrent use.
type Server struct {
	cfg   Config
	clock *Clock

	mu         sync.Mutex
	cash       decimal.Decimal
	positions  map[string]*Position
	orders     []*Order // every order ever accepted, oldest first
	open       []*Order // the orders that may still be open, oldest first
	traded     map[string]bool
	byID       map[string]*Order
	byClientID map[string]*Order
	orderSeq   int64
	eventSeq   int64
	events     []TradeUpdate
	subs       map[chan TradeUpdate]struct{}
	processed  time.Time
	lastEquity decimal.Decimal // equity at the last close processed
	createdAt  time.Time

	rngMu sync.Mutex
	rng   *rand.Rand

	faultMu   sync.Mutex
	scheduled map[string][]FaultKind

	rateMu     sync.Mutex
	rateWindow time.Time
	rateCount  int

	store Store

	httpSrv  *http.Server
	listener net.Listener
	handler  http.Handler
	closing  chan struct{}
}

// New builds a simulator from cfg. With a Store it restores the account from it.
func New(cfg Config) (*Server, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		clock:      newClock(cfg.AsOf, cfg.RealTime, cfg.Now),
		cash:       cfg.Cash,
		positions:  make(map[string]*Position),
		byID:       make(map[string]*Order),
		byClientID: make(map[string]*Order),
		traded:     make(map[string]bool),
		subs:       make(map[chan TradeUpdate]struct{}),
		processed:  cfg.AsOf,
		lastEquity: cfg.Cash,
		createdAt:  cfg.AsOf,
		rng:        rand.New(rand.NewPCG(uint64(cfg.Faults.Seed), 0x5eed)),
		scheduled:  make(map[string][]FaultKind),
		closing:    make(chan struct{}),
	}
	if cfg.Store != nil {
		s.store = cfg.Store
		if err := s.restore(); err != nil {
			return nil, err
		}
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the simulator's HTTP handler, for use with httptest.NewServer.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on addr (use "127.0.0.1:0" for a free port) and serves in the background. It
// returns the base URL for both the trading and the data client.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("start alpaca simulator: %w", err)
	}
	s.listener = ln
	s.httpSrv = &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.httpSrv.Serve(ln) }()
	if s.cfg.RealTime {
		go s.tick(time.Second)
	}
	return "http://" + ln.Addr().String(), nil
}

// tick moves the market along with the real-time clock, so fills at the open and expiries at
// the close reach the trade-updates stream without waiting for a request.
func (s *Server) tick(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			now := s.clock.Now()
			s.mu.Lock()
			s.advance(now)
			s.mu.Unlock()
		case <-s.closing:
			return
		}
	}
}

// Close stops the server, ends open trade-update streams and closes the Store.
func (s *Server) Close() error {
	select {
	case <-s.closing:
		return nil
	default:
		close(s.closing)
	}
	var errs []error
	if s.httpSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, s.httpSrv.Close())
		}
	}
	if s.store != nil {
		s.mu.Lock()
		errs = append(errs, s.store.Close())
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// Now returns the simulated time.
func (s *Server) Now() time.Time { return s.clock.Now() }

// SetTime moves the simulated clock to t and processes what happened in between: opens,
// fills and expiries.
func (s *Server) SetTime(t time.Time) {
	s.clock.Set(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(t)
}

// Advance moves the simulated clock forward by d; see SetTime.
func (s *Server) Advance(d time.Duration) { s.SetTime(s.clock.Now().Add(d)) }

// Orders returns a copy of every order the simulator ever accepted, oldest first, including
// rejected ones. Tests use it to count orders.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = *o
	}
	return out
}

// Cash returns the account's cash.
func (s *Server) Cash() decimal.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cash
}

// Positions returns a copy of the open positions.
func (s *Server) Positions() []Position {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Position, 0, len(s.positions))
	for _, p := range s.positions {
		out = append(out, *p)
	}
	return out
}

// FailNext makes the next n requests matching method and path (for example "POST",
// "/v2/orders") fail with kind. FaultReject and FaultPartialFill apply to the next n orders
// placed, whatever the path.
func (s *Server) FailNext(method, path string, kind FaultKind, n int) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	key := method + " " + path
	if kind == FaultReject || kind == FaultPartialFill {
		key = "order"
	}
	for range n {
		s.scheduled[key] = append(s.scheduled[key], kind)
	}
}

func (s *Server) takeScheduled(key string) FaultKind {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	q := s.scheduled[key]
	if len(q) == 0 {
		return 0
	}
	s.scheduled[key] = q[1:]
	return q[0]
}

// errorBody is Alpaca's error answer.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, errorBody{Code: e.Code, Message: e.Message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"code":50010000,"message":"internal server error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// middleware applies latency, rate limits, faults and authentication around the routes.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.cfg.Faults
		if f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				return
			}
		}
		s.cfg.Logger.DebugContext(r.Context(), "alpacasim request", "method", r.Method, "path", r.URL.Path)
		s.setRateHeaders(w)
		kind := s.takeScheduled(r.Method + " " + r.URL.Path)
		if kind == 0 && r.URL.Path != "/v2/events/trades" {
			switch {
			case s.chance(f.RateLimited):
				kind = FaultRateLimited
			case s.chance(f.ServerError):
				kind = FaultServerError
			case s.chance(f.Drop):
				kind = FaultDrop
			case r.Method == http.MethodPost && r.URL.Path == "/v2/orders" && s.chance(f.ServerErrorAfterAccept):
				kind = FaultServerErrorAfterAccept
			}
		}
		if kind == 0 && !s.allow() {
			kind = FaultRateLimited
		}
		switch kind {
		case FaultRateLimited:
			w.Header().Set("X-Ratelimit-Remaining", "0")
			writeError(w, &apiError{http.StatusTooManyRequests, 42910000, "rate limit exceeded"})
			return
		case FaultServerError:
			writeError(w, &apiError{http.StatusInternalServerError, 50010000, "internal server error occurred"})
			return
		case FaultDrop:
			drop(w)
			return
		case FaultHang:
			s.hang(r)
			return
		}
		if r.Header.Get("APCA-API-KEY-ID") != s.cfg.KeyID || r.Header.Get("APCA-API-SECRET-KEY") != s.cfg.SecretKey {
			writeError(w, &apiError{http.StatusUnauthorized, 40110000, "request is not authorized"})
			return
		}
		if kind == FaultServerErrorAfterAccept || kind == FaultDropAfterAccept || kind == FaultHangAfterAccept {
			rec := &discardWriter{header: http.Header{}}
			next.ServeHTTP(rec, r)
			switch kind {
			case FaultDropAfterAccept:
				drop(w)
				return
			case FaultHangAfterAccept:
				s.hang(r)
				return
			}
			writeError(w, &apiError{http.StatusInternalServerError, 50010000, "internal server error occurred"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hang waits until the client gives up on r or the server closes.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

type discardWriter struct {
	header http.Header
	buf    bytes.Buffer
	status int
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return d.buf.Write(b) }
func (d *discardWriter) WriteHeader(status int)      { d.status = status }

const rateLimitHeaderLimit = 200

func (s *Server) setRateHeaders(w http.ResponseWriter) {
	s.rateMu.Lock()
	limit := s.cfg.RateLimitPerMinute
	if limit <= 0 {
		limit = rateLimitHeaderLimit
	}
	now := s.cfg.Now()
	if now.Sub(s.rateWindow) >= time.Minute {
		s.rateWindow = now.Truncate(time.Minute)
		s.rateCount = 0
	}
	remaining := max(limit-s.rateCount-1, 0)
	reset := s.rateWindow.Add(time.Minute).Unix()
	s.rateMu.Unlock()
	h := w.Header()
	h.Set("X-Ratelimit-Limit", strconv.Itoa(limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
}

// allow counts the request against RateLimitPerMinute.
func (s *Server) allow() bool {
	if s.cfg.RateLimitPerMinute <= 0 {
		return true
	}
	s.rateMu.Lock()
	defer s.rateMu.Unlock()
	s.rateCount++
	return s.rateCount <= s.cfg.RateLimitPerMinute
}
