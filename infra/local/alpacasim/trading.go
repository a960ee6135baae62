package alpacasim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/nyse"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/account", s.getAccount)
	mux.HandleFunc("GET /v2/positions", s.getPositions)
	mux.HandleFunc("DELETE /v2/positions", s.closeAllPositions)
	mux.HandleFunc("GET /v2/positions/{symbol}", s.getPosition)
	mux.HandleFunc("DELETE /v2/positions/{symbol}", s.closePosition)
	mux.HandleFunc("POST /v2/orders", s.postOrder)
	mux.HandleFunc("GET /v2/orders", s.listOrders)
	mux.HandleFunc("DELETE /v2/orders", s.cancelAllOrders)
	mux.HandleFunc("GET /v2/orders/{id}", s.getOrder)
	mux.HandleFunc("DELETE /v2/orders/{id}", s.cancelOrder)
	mux.HandleFunc("GET /v2/orders:by_client_order_id", s.getOrderByClientID)
	mux.HandleFunc("GET /v2/clock", s.getClock)
	mux.HandleFunc("GET /v2/calendar", s.getCalendar)
	mux.HandleFunc("GET /v2/assets", s.getAssets)
	mux.HandleFunc("GET /v2/assets/{symbol}", s.getAsset)
	mux.HandleFunc("GET /v2/events/trades", s.streamTrades)
	mux.HandleFunc("GET /v2/stocks/bars", s.getBars)
	mux.HandleFunc("GET /v2/stocks/trades/latest", s.getLatestTrades)
	mux.HandleFunc("GET /v2/stocks/quotes/latest", s.getLatestQuotes)
	mux.HandleFunc("GET /v2/stocks/snapshots", s.getSnapshots)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{http.StatusNotFound, 40410000, "endpoint not found"})
	})
	return s.middleware(mux)
}

// lockAndSync takes the state lock and brings the market up to the simulated now.
func (s *Server) lockAndSync() time.Time {
	now := s.clock.Now()
	s.mu.Lock()
	s.advance(now)
	return now
}

// --- wire types (Alpaca's JSON) ---

type accountJSON struct {
	ID                    string    `json:"id"`
	AccountNumber         string    `json:"account_number"`
	Status                string    `json:"status"`
	CryptoStatus          string    `json:"crypto_status"`
	Currency              string    `json:"currency"`
	BuyingPower           string    `json:"buying_power"`
	RegTBuyingPower       string    `json:"regt_buying_power"`
	DaytradingBuyingPower string    `json:"daytrading_buying_power"`
	EffectiveBuyingPower  string    `json:"effective_buying_power"`
	NonMarginBuyingPower  string    `json:"non_marginable_buying_power"`
	Cash                  string    `json:"cash"`
	AccruedFees           string    `json:"accrued_fees"`
	PortfolioValue        string    `json:"portfolio_value"`
	PatternDayTrader      bool      `json:"pattern_day_trader"`
	TradingBlocked        bool      `json:"trading_blocked"`
	TransfersBlocked      bool      `json:"transfers_blocked"`
	AccountBlocked        bool      `json:"account_blocked"`
	ShortingEnabled       bool      `json:"shorting_enabled"`
	TradeSuspendedByUser  bool      `json:"trade_suspended_by_user"`
	CreatedAt             time.Time `json:"created_at"`
	Multiplier            string    `json:"multiplier"`
	Equity                string    `json:"equity"`
	LastEquity            string    `json:"last_equity"`
	LongMarketValue       string    `json:"long_market_value"`
	ShortMarketValue      string    `json:"short_market_value"`
	PositionMarketValue   string    `json:"position_market_value"`
	InitialMargin         string    `json:"initial_margin"`
	MaintenanceMargin     string    `json:"maintenance_margin"`
	LastMaintenanceMargin string    `json:"last_maintenance_margin"`
	SMA                   string    `json:"sma"`
	DaytradeCount         int64     `json:"daytrade_count"`
}

type orderJSON struct {
	ID             string           `json:"id"`
	ClientOrderID  string           `json:"client_order_id"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	SubmittedAt    time.Time        `json:"submitted_at"`
	FilledAt       *time.Time       `json:"filled_at"`
	ExpiredAt      *time.Time       `json:"expired_at"`
	CanceledAt     *time.Time       `json:"canceled_at"`
	FailedAt       *time.Time       `json:"failed_at"`
	ReplacedAt     *time.Time       `json:"replaced_at"`
	ReplacedBy     *string          `json:"replaced_by"`
	Replaces       *string          `json:"replaces"`
	AssetID        string           `json:"asset_id"`
	Symbol         string           `json:"symbol"`
	AssetClass     string           `json:"asset_class"`
	Notional       *decimal.Decimal `json:"notional"`
	Qty            *decimal.Decimal `json:"qty"`
	FilledQty      decimal.Decimal  `json:"filled_qty"`
	FilledAvgPrice *decimal.Decimal `json:"filled_avg_price"`
	OrderClass     string           `json:"order_class"`
	OrderType      string           `json:"order_type"`
	Type           string           `json:"type"`
	Side           string           `json:"side"`
	PositionIntent string           `json:"position_intent"`
	TimeInForce    string           `json:"time_in_force"`
	LimitPrice     *decimal.Decimal `json:"limit_price"`
	StopPrice      *decimal.Decimal `json:"stop_price"`
	Status         string           `json:"status"`
	ExtendedHours  bool             `json:"extended_hours"`
	Legs           []orderJSON      `json:"legs"`
	TrailPercent   *decimal.Decimal `json:"trail_percent"`
	TrailPrice     *decimal.Decimal `json:"trail_price"`
	HWM            *decimal.Decimal `json:"hwm"`
}

type positionJSON struct {
	AssetID                string `json:"asset_id"`
	Symbol                 string `json:"symbol"`
	Exchange               string `json:"exchange"`
	AssetClass             string `json:"asset_class"`
	AssetMarginable        bool   `json:"asset_marginable"`
	Qty                    string `json:"qty"`
	QtyAvailable           string `json:"qty_available"`
	AvgEntryPrice          string `json:"avg_entry_price"`
	Side                   string `json:"side"`
	MarketValue            string `json:"market_value"`
	CostBasis              string `json:"cost_basis"`
	UnrealizedPL           string `json:"unrealized_pl"`
	UnrealizedPLPC         string `json:"unrealized_plpc"`
	UnrealizedIntradayPL   string `json:"unrealized_intraday_pl"`
	UnrealizedIntradayPLPC string `json:"unrealized_intraday_plpc"`
	CurrentPrice           string `json:"current_price"`
	LastdayPrice           string `json:"lastday_price"`
	ChangeToday            string `json:"change_today"`
}

type assetJSON struct {
	ID           string   `json:"id"`
	Class        string   `json:"class"`
	Exchange     string   `json:"exchange"`
	Symbol       string   `json:"symbol"`
	Name         string   `json:"name"`
	Status       string   `json:"status"`
	Tradable     bool     `json:"tradable"`
	Marginable   bool     `json:"marginable"`
	Shortable    bool     `json:"shortable"`
	EasyToBorrow bool     `json:"easy_to_borrow"`
	Fractionable bool     `json:"fractionable"`
	Attributes   []string `json:"attributes"`
}

func assetID(sym string) string {
	var h uint64 = 1469598103934665603
	for _, c := range []byte(sym) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>4)&0xfff, h&0xffffffffffff)
}

func toOrderJSON(o *Order) orderJSON {
	return orderJSON{
		ID: o.ID, ClientOrderID: o.ClientOrderID,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(), SubmittedAt: o.SubmittedAt.UTC(),
		FilledAt: utcPtr(o.FilledAt), ExpiredAt: utcPtr(o.ExpiredAt), CanceledAt: utcPtr(o.CanceledAt), FailedAt: utcPtr(o.FailedAt),
		AssetID: assetID(o.Symbol), Symbol: o.Symbol, AssetClass: "us_equity",
		Notional: o.Notional, Qty: o.Qty, FilledQty: o.FilledQty, FilledAvgPrice: o.FilledAvgPrice,
		OrderClass: "", OrderType: o.Type, Type: o.Type, Side: o.Side, TimeInForce: o.TimeInForce,
		LimitPrice: o.LimitPrice, Status: o.Status,
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (s *Server) toPositionJSON(p *Position, now time.Time) positionJSON {
	avg := p.Cost.DivRound(p.Qty, 6)
	cur, lastDay := avg, avg
	if q, ok := s.quoteAt(p.Symbol, now); ok {
		cur = q.Last
		if q.Prev != nil {
			lastDay = q.Prev.Close
		}
	}
	mv := p.Qty.Mul(cur)
	pl := mv.Sub(p.Cost)
	plpc := decimal.Zero
	if !p.Cost.IsZero() {
		plpc = pl.DivRound(p.Cost, 6)
	}
	intraday := p.Qty.Mul(cur.Sub(lastDay))
	intradayPC := decimal.Zero
	if !lastDay.IsZero() {
		intradayPC = cur.Sub(lastDay).DivRound(lastDay, 6)
	}
	avail := p.Qty.Sub(s.heldForSale(p.Symbol))
	return positionJSON{
		AssetID: assetID(p.Symbol), Symbol: p.Symbol, Exchange: "NASDAQ", AssetClass: "us_equity",
		Qty: p.Qty.String(), QtyAvailable: avail.String(), AvgEntryPrice: avg.String(), Side: "long",
		MarketValue: mv.String(), CostBasis: p.Cost.String(), UnrealizedPL: pl.String(), UnrealizedPLPC: plpc.String(),
		UnrealizedIntradayPL: intraday.String(), UnrealizedIntradayPLPC: intradayPC.String(),
		CurrentPrice: cur.String(), LastdayPrice: lastDay.String(), ChangeToday: intradayPC.String(),
	}
}

// --- account and positions ---

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	equity, long := s.equity(now)
	lastEquity := s.lastEquity
	bp := s.cash.Sub(s.reserved()).String()
	writeJSON(w, http.StatusOK, accountJSON{
		ID: "00000000-0000-4000-8000-00000000acc7", AccountNumber: "PASIM0001", Status: "ACTIVE", CryptoStatus: "INACTIVE",
		Currency: "USD", BuyingPower: bp, RegTBuyingPower: bp, DaytradingBuyingPower: "0", EffectiveBuyingPower: bp,
		NonMarginBuyingPower: bp, Cash: s.cash.String(), AccruedFees: "0", PortfolioValue: equity.String(),
		CreatedAt: s.createdAt.UTC(), Multiplier: "1", Equity: equity.String(), LastEquity: lastEquity.String(),
		LongMarketValue: long.String(), ShortMarketValue: "0", PositionMarketValue: long.String(),
		InitialMargin: "0", MaintenanceMargin: "0", LastMaintenanceMargin: "0", SMA: "0",
	})
}

func (s *Server) sortedPositions() []*Position {
	out := make([]*Position, 0, len(s.positions))
	for _, p := range s.positions {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Symbol < out[j].Symbol })
	return out
}

func (s *Server) getPositions(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	out := []positionJSON{}
	for _, p := range s.sortedPositions() {
		out = append(out, s.toPositionJSON(p, now))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getPosition(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	p := s.positions[strings.ToUpper(r.PathValue("symbol"))]
	if p == nil {
		writeError(w, &apiError{http.StatusNotFound, 40410000, "position does not exist"})
		return
	}
	writeJSON(w, http.StatusOK, s.toPositionJSON(p, now))
}

// closePositionOrder places a market sell for qty or percentage of the position.
func (s *Server) closePositionOrder(sym string, qs map[string][]string, now time.Time) (*Order, *apiError) {
	p := s.positions[sym]
	if p == nil {
		return nil, &apiError{http.StatusNotFound, 40410000, "position does not exist"}
	}
	avail := p.Qty.Sub(s.heldForSale(sym))
	qty := avail
	qv, pv := first(qs["qty"]), first(qs["percentage"])
	switch {
	case qv != "" && pv != "":
		return nil, errInvalid("only one of qty or percentage may be set")
	case qv != "":
		d, err := decimal.NewFromString(qv)
		if err != nil || !d.IsPositive() {
			return nil, errInvalid(fmt.Sprintf("invalid qty %q", qv))
		}
		qty = d
	case pv != "":
		d, err := decimal.NewFromString(pv)
		if err != nil || !d.IsPositive() || d.GreaterThan(decimal.NewFromInt(100)) {
			return nil, errInvalid(fmt.Sprintf("invalid percentage %q", pv))
		}
		qty = p.Qty.Mul(d).Div(decimal.NewFromInt(100)).Truncate(9)
		if p.Qty.Equal(p.Qty.Truncate(0)) && !qty.Equal(qty.Truncate(0)) {
			qty = qty.Floor()
		}
	}
	if !qty.IsPositive() {
		return nil, &apiError{http.StatusForbidden, 40310000, "insufficient qty available for order (requested: 0, available: " + avail.String() + ")"}
	}
	return s.place(orderRequest{Symbol: sym, Qty: &qty, Side: "sell", Type: "market", TimeInForce: "day"}, now, s.takeScheduled("order"))
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (s *Server) closePosition(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	o, apiErr := s.closePositionOrder(strings.ToUpper(r.PathValue("symbol")), r.URL.Query(), now)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o))
}

type multiStatus struct {
	Symbol string `json:"symbol,omitempty"`
	ID     string `json:"id,omitempty"`
	Status int    `json:"status"`
	Body   any    `json:"body"`
}

func (s *Server) closeAllPositions(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	if r.URL.Query().Get("cancel_orders") == "true" {
		for _, o := range s.working() {
			if o.open() {
				_ = s.cancel(o, now)
			}
		}
	}
	out := []multiStatus{}
	for _, p := range s.sortedPositions() {
		o, apiErr := s.closePositionOrder(p.Symbol, nil, now)
		if apiErr != nil {
			out = append(out, multiStatus{Symbol: p.Symbol, Status: apiErr.Status, Body: errorBody{apiErr.Code, apiErr.Message}})
			continue
		}
		out = append(out, multiStatus{Symbol: p.Symbol, Status: http.StatusOK, Body: toOrderJSON(o)})
	}
	writeJSON(w, http.StatusMultiStatus, out)
}

// --- orders ---

func (s *Server) postOrder(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, errInvalid("read request body: "+err.Error()))
		return
	}
	var req orderRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, errInvalid("invalid order request body: "+err.Error()))
		return
	}
	now := s.lockAndSync()
	defer s.mu.Unlock()
	o, apiErr := s.place(req, now, s.takeScheduled("order"))
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o))
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.lockAndSync()
	defer s.mu.Unlock()
	o := s.byID[r.PathValue("id")]
	if o == nil {
		writeError(w, errNotFound("order"))
		return
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o))
}

func (s *Server) getOrderByClientID(w http.ResponseWriter, r *http.Request) {
	s.lockAndSync()
	defer s.mu.Unlock()
	o := s.byClientID[r.URL.Query().Get("client_order_id")]
	if o == nil {
		writeError(w, errNotFound("order"))
		return
	}
	writeJSON(w, http.StatusOK, toOrderJSON(o))
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status == "" {
		status = "open"
	}
	if status != "open" && status != "closed" && status != "all" {
		writeError(w, errInvalid(fmt.Sprintf("invalid status %q (open, closed, all)", status)))
		return
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, errInvalid(fmt.Sprintf("invalid limit %q (1 to 500)", v)))
			return
		}
		limit = n
	}
	var after, until time.Time
	for name, dst := range map[string]*time.Time{"after": &after, "until": &until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				writeError(w, errInvalid(fmt.Sprintf("invalid %s %q (RFC 3339)", name, v)))
				return
			}
			*dst = t
		}
	}
	var symbols []string
	if v := q.Get("symbols"); v != "" {
		for _, sym := range strings.Split(v, ",") {
			symbols = append(symbols, strings.ToUpper(strings.TrimSpace(sym)))
		}
	}
	side := q.Get("side")
	asc := q.Get("direction") == "asc"
	s.lockAndSync()
	defer s.mu.Unlock()
	var picked []*Order
	for _, o := range s.orders {
		switch {
		case status == "open" && !o.open(), status == "closed" && o.open():
			continue
		case !after.IsZero() && !o.SubmittedAt.After(after), !until.IsZero() && !o.SubmittedAt.Before(until):
			continue
		case symbols != nil && !slices.Contains(symbols, o.Symbol), side != "" && o.Side != side:
			continue
		}
		picked = append(picked, o)
	}
	if !asc {
		slices.Reverse(picked)
	}
	if len(picked) > limit {
		picked = picked[:limit]
	}
	out := make([]orderJSON, 0, len(picked))
	for _, o := range picked {
		out = append(out, toOrderJSON(o))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	o := s.byID[r.PathValue("id")]
	if o == nil {
		writeError(w, errNotFound("order"))
		return
	}
	if apiErr := s.cancel(o, now); apiErr != nil {
		writeError(w, apiErr)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) cancelAllOrders(w http.ResponseWriter, r *http.Request) {
	now := s.lockAndSync()
	defer s.mu.Unlock()
	out := []multiStatus{}
	for _, o := range s.working() {
		if !o.open() {
			continue
		}
		_ = s.cancel(o, now)
		out = append(out, multiStatus{ID: o.ID, Status: http.StatusOK, Body: toOrderJSON(o)})
	}
	writeJSON(w, http.StatusMultiStatus, out)
}

// --- clock, calendar, assets ---

func (s *Server) getClock(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	ny := now.In(nyse.NewYork)
	writeJSON(w, http.StatusOK, map[string]any{
		"timestamp":  ny.Format(time.RFC3339Nano),
		"is_open":    nyse.IsOpen(now),
		"next_open":  nyse.NextOpen(now).Format(time.RFC3339),
		"next_close": nyse.NextClose(now).Format(time.RFC3339),
	})
}

type calendarJSON struct {
	Date         string `json:"date"`
	Open         string `json:"open"`
	Close        string `json:"close"`
	SessionOpen  string `json:"session_open"`
	SessionClose string `json:"session_close"`
	SettlementDt string `json:"settlement_date"`
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	today := nyse.Date(s.clock.Now().In(nyse.NewYork))
	start, end := today, today.AddDate(0, 1, 0)
	for name, dst := range map[string]*time.Time{"start": &start, "end": &end} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				t, err = time.Parse(time.RFC3339, v)
			}
			if err != nil {
				writeError(w, &apiError{http.StatusBadRequest, 40010000, fmt.Sprintf("invalid %s %q (YYYY-MM-DD)", name, v)})
				return
			}
			*dst = nyse.Date(t)
		}
	}
	if end.Sub(start) > 20*366*24*time.Hour {
		writeError(w, &apiError{http.StatusBadRequest, 40010000, "calendar range longer than 20 years"})
		return
	}
	out := []calendarJSON{}
	for _, d := range nyse.TradingDays(start, end) {
		sess, _ := nyse.SessionOn(d)
		settle := nyse.NextTradingDay(d)
		out = append(out, calendarJSON{
			Date: d.Format(time.DateOnly), Open: sess.Open.In(nyse.NewYork).Format("15:04"), Close: sess.Close.In(nyse.NewYork).Format("15:04"),
			SessionOpen: "0400", SessionClose: "2000", SettlementDt: settle.Format(time.DateOnly),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func toAssetJSON(sym string) assetJSON {
	return assetJSON{
		ID: assetID(sym), Class: "us_equity", Exchange: "NASDAQ", Symbol: sym, Name: sym + " (simulated)",
		Status: "active", Tradable: true, Marginable: true, Shortable: false, EasyToBorrow: false, Fractionable: true,
		Attributes: []string{"fractional_eh_enabled"},
	}
}

func (s *Server) getAssets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if st := q.Get("status"); st == "inactive" {
		writeJSON(w, http.StatusOK, []assetJSON{})
		return
	}
	if c := q.Get("asset_class"); c != "" && c != "us_equity" {
		writeJSON(w, http.StatusOK, []assetJSON{})
		return
	}
	syms := slices.Clone(s.cfg.Universe)
	s.mu.Lock()
	for sym := range s.traded {
		if !slices.Contains(syms, sym) {
			syms = append(syms, sym)
		}
	}
	s.mu.Unlock()
	sort.Strings(syms)
	out := make([]assetJSON, 0, len(syms))
	for _, sym := range syms {
		out = append(out, toAssetJSON(sym))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAsset(w http.ResponseWriter, r *http.Request) {
	sym := strings.ToUpper(r.PathValue("symbol"))
	s.mu.Lock()
	ok := s.tradable(sym)
	s.mu.Unlock()
	if !ok {
		writeError(w, &apiError{http.StatusNotFound, 40410000, "asset not found for " + sym})
		return
	}
	writeJSON(w, http.StatusOK, toAssetJSON(sym))
}
