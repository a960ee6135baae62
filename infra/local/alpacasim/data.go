package alpacasim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

type barJSON struct {
	T  string      `json:"t"`
	O  json.Number `json:"o"`
	H  json.Number `json:"h"`
	L  json.Number `json:"l"`
	C  json.Number `json:"c"`
	V  int64       `json:"v"`
	N  int64       `json:"n"`
	VW json.Number `json:"vw"`
}

type tradeJSON struct {
	T string      `json:"t"`
	X string      `json:"x"`
	P json.Number `json:"p"`
	S int64       `json:"s"`
	C []string    `json:"c"`
	I int64       `json:"i"`
	Z string      `json:"z"`
}

type quoteJSON struct {
	T  string      `json:"t"`
	AX string      `json:"ax"`
	AP json.Number `json:"ap"`
	AS int64       `json:"as"`
	BX string      `json:"bx"`
	BP json.Number `json:"bp"`
	BS int64       `json:"bs"`
	C  []string    `json:"c"`
	Z  string      `json:"z"`
}

type snapshotJSON struct {
	LatestTrade  *tradeJSON `json:"latestTrade"`
	LatestQuote  *quoteJSON `json:"latestQuote"`
	MinuteBar    *barJSON   `json:"minuteBar"`
	DailyBar     *barJSON   `json:"dailyBar"`
	PrevDailyBar *barJSON   `json:"prevDailyBar"`
}

func num(d decimal.Decimal) json.Number { return json.Number(d.String()) }

// barTime is the timestamp Alpaca gives a daily bar: midnight New York time.
func barTime(date time.Time) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, nyse.NewYork)
}

func toBarJSON(b marketsim.Bar) barJSON {
	return barJSON{
		T: barTime(b.Date).UTC().Format(time.RFC3339), O: num(b.Open), H: num(b.High), L: num(b.Low), C: num(b.Close),
		V: b.Volume, N: b.Volume / 100, VW: json.Number(appendTypicalPrice(nil, b)),
	}
}

// appendTypicalPrice writes the stand-in for the VWAP: (high + low + close) / 3, to 4
// decimals, without decimal division, which would dominate the cost of serving bars.
func appendTypicalPrice(buf []byte, b marketsim.Bar) []byte {
	h, ok1 := scaled4(b.High)
	l, ok2 := scaled4(b.Low)
	c, ok3 := scaled4(b.Close)
	if !(ok1 && ok2 && ok3) {
		return append(buf, roundPrice(b.High.Add(b.Low).Add(b.Close).Div(decimal.NewFromInt(3))).String()...)
	}
	return appendScaled(buf, (h+l+c+1)/3)
}

// scaled4 returns d * 10^4 as an integer when that is exact and small.
func scaled4(d decimal.Decimal) (int64, bool) {
	exp := d.Exponent()
	if exp < -4 || exp > 6 {
		return 0, false
	}
	c := d.CoefficientInt64()
	if c > 1<<40 || c < 0 {
		return 0, false
	}
	for ; exp > -4; exp-- {
		c *= 10
	}
	return c, true
}

func badRequest(msg string) *apiError { return &apiError{http.StatusBadRequest, 40010000, msg} }

func parseSymbols(v string) ([]string, *apiError) {
	if strings.TrimSpace(v) == "" {
		return nil, badRequest("missing symbols")
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

func parseTimeParam(name, v string) (time.Time, *apiError) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, nyse.NewYork); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest(fmt.Sprintf("invalid %s: %q (RFC 3339 or YYYY-MM-DD)", name, v))
}

// pageToken marks the first bar of the next page: a symbol and a date.
func encodeToken(sym string, date time.Time) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sym + "|" + date.Format(time.DateOnly)))
}

func decodeToken(tok string) (string, time.Time, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", time.Time{}, err
	}
	sym, ds, ok := strings.Cut(string(b), "|")
	if !ok {
		return "", time.Time{}, fmt.Errorf("no separator")
	}
	d, err := time.Parse(time.DateOnly, ds)
	return sym, d, err
}

func (s *Server) getBars(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	syms, apiErr := parseSymbols(q.Get("symbols"))
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	switch tf := q.Get("timeframe"); tf {
	case "1Day", "1D", "Day", "":
	default:
		writeError(w, badRequest(fmt.Sprintf("timeframe %q is not supported by the simulator (1Day)", tf)))
		return
	}
	switch adj := q.Get("adjustment"); adj {
	case "", "raw", "split", "dividend", "all":
	default:
		writeError(w, badRequest(fmt.Sprintf("invalid adjustment %q", adj)))
		return
	}
	now := s.clock.Now()
	start := barTime(nyse.Date(now.In(nyse.NewYork)))
	end := now
	if v := q.Get("start"); v != "" {
		if start, apiErr = parseTimeParam("start", v); apiErr != nil {
			writeError(w, apiErr)
			return
		}
	}
	if v := q.Get("end"); v != "" {
		if end, apiErr = parseTimeParam("end", v); apiErr != nil {
			writeError(w, apiErr)
			return
		}
	}
	if end.After(now) {
		end = now
	}
	limit := s.cfg.BarsPageLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, badRequest(fmt.Sprintf("invalid limit %q (1 to 10000)", v)))
			return
		}
		limit = n
	}
	desc := q.Get("sort") == "desc"
	var fromSym string
	var fromDate time.Time
	if tok := q.Get("page_token"); tok != "" {
		var err error
		if fromSym, fromDate, err = decodeToken(tok); err != nil {
			writeError(w, badRequest("invalid page_token"))
			return
		}
	}
	buf := make([]byte, 0, min(limit, 10000)*120+256) // about 110 bytes a bar
	buf = append(buf, `{"bars":{`...)
	count := 0
	var next *string
	today := nyse.Date(now.In(nyse.NewYork))
	firstSym := true
	for _, sym := range syms {
		if sym < fromSym {
			continue
		}
		bars, err := s.cfg.Source.DailyBars(sym, start.In(nyse.NewYork), end.In(nyse.NewYork))
		if err != nil {
			continue // unknown symbol: absent, as on Alpaca
		}
		if n := len(bars); n > 0 && bars[n-1].Date.Equal(today) {
			// Today's bar is partial while the session runs and absent before the open.
			bars = bars[:n-1]
			if qt, ok := s.quoteAt(sym, now); ok && qt.Today != nil {
				bars = append(bars, *qt.Today)
			}
		}
		if desc {
			for i, j := 0, len(bars)-1; i < j; i, j = i+1, j-1 {
				bars[i], bars[j] = bars[j], bars[i]
			}
		}
		firstBar := true
		for _, b := range bars {
			ts := barTime(b.Date)
			if ts.Before(start) || ts.After(end) {
				continue
			}
			if sym == fromSym && (!desc && b.Date.Before(fromDate) || desc && b.Date.After(fromDate)) {
				continue
			}
			if count == limit {
				tok := encodeToken(sym, b.Date)
				next = &tok
				break
			}
			if firstBar {
				if !firstSym {
					buf = append(buf, ',')
				}
				buf = strconv.AppendQuote(buf, sym)
				buf = append(buf, ":["...)
				firstSym, firstBar = false, false
			} else {
				buf = append(buf, ',')
			}
			buf = appendBar(buf, b)
			count++
		}
		if !firstBar {
			buf = append(buf, ']')
		}
		if next != nil {
			break
		}
	}
	buf = append(buf, `},"next_page_token":`...)
	if next == nil {
		buf = append(buf, "null"...)
	} else {
		buf = strconv.AppendQuote(buf, *next)
	}
	buf = append(buf, `,"currency":"USD"}`...)
	buf = append(buf, '\n')
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// appendBar writes b as Alpaca's bar JSON; it is the hot path of GET /v2/stocks/bars.
func appendBar(buf []byte, b marketsim.Bar) []byte {
	buf = append(buf, `{"t":"`...)
	buf = barTime(b.Date).UTC().AppendFormat(buf, time.RFC3339)
	buf = append(buf, `","o":`...)
	buf = appendDecimal(buf, b.Open)
	buf = append(buf, `,"h":`...)
	buf = appendDecimal(buf, b.High)
	buf = append(buf, `,"l":`...)
	buf = appendDecimal(buf, b.Low)
	buf = append(buf, `,"c":`...)
	buf = appendDecimal(buf, b.Close)
	buf = append(buf, `,"v":`...)
	buf = strconv.AppendInt(buf, b.Volume, 10)
	buf = append(buf, `,"n":`...)
	buf = strconv.AppendInt(buf, b.Volume/100, 10)
	buf = append(buf, `,"vw":`...)
	buf = appendTypicalPrice(buf, b)
	return append(buf, '}')
}

// appendDecimal writes d as a JSON number without going through a string when it can.
func appendDecimal(buf []byte, d decimal.Decimal) []byte {
	v, ok := scaled4(d)
	if !ok {
		return append(buf, d.String()...)
	}
	return appendScaled(buf, v)
}

// appendScaled writes v/10000 (v >= 0) with no trailing zeros.
func appendScaled(buf []byte, v int64) []byte {
	buf = strconv.AppendInt(buf, v/10000, 10)
	frac := v % 10000
	if frac == 0 {
		return buf
	}
	digits := [4]byte{byte('0' + frac/1000), byte('0' + frac/100%10), byte('0' + frac/10%10), byte('0' + frac%10)}
	n := 4
	for n > 0 && digits[n-1] == '0' {
		n--
	}
	buf = append(buf, '.')
	return append(buf, digits[:n]...)
}

// latest computes the quote and trade of each symbol at the simulated now. Symbols without
// data are left out.
func (s *Server) latest(r *http.Request) (map[string]quote, *apiError) {
	syms, apiErr := parseSymbols(r.URL.Query().Get("symbols"))
	if apiErr != nil {
		return nil, apiErr
	}
	now := s.clock.Now()
	out := make(map[string]quote, len(syms))
	for _, sym := range syms {
		if q, ok := s.quoteAt(sym, now); ok {
			out[sym] = q
		}
	}
	return out, nil
}

// quoteTime is when the quote was last updated: now during the session, else the last close.
func quoteTime(q quote) time.Time {
	if nyse.IsOpen(q.At) {
		return q.At
	}
	return nyse.LastClose(q.At)
}

func toTradeJSON(q quote) *tradeJSON {
	size := int64(100)
	return &tradeJSON{T: quoteTime(q).UTC().Format(time.RFC3339Nano), X: "V", P: num(q.Last), S: size, C: []string{"@"}, I: quoteTime(q).UnixNano() % 1e9, Z: "B"}
}

func toQuoteJSON(q quote) *quoteJSON {
	return &quoteJSON{T: quoteTime(q).UTC().Format(time.RFC3339Nano), AX: "V", AP: num(q.Ask), AS: 3, BX: "V", BP: num(q.Bid), BS: 2, C: []string{"R"}, Z: "B"}
}

func (s *Server) getLatestTrades(w http.ResponseWriter, r *http.Request) {
	qs, apiErr := s.latest(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	out := make(map[string]*tradeJSON, len(qs))
	for sym, q := range qs {
		out[sym] = toTradeJSON(q)
	}
	writeJSON(w, http.StatusOK, map[string]any{"trades": out})
}

func (s *Server) getLatestQuotes(w http.ResponseWriter, r *http.Request) {
	qs, apiErr := s.latest(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	out := make(map[string]*quoteJSON, len(qs))
	for sym, q := range qs {
		out[sym] = toQuoteJSON(q)
	}
	writeJSON(w, http.StatusOK, map[string]any{"quotes": out})
}

func (s *Server) getSnapshots(w http.ResponseWriter, r *http.Request) {
	qs, apiErr := s.latest(r)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	out := make(map[string]snapshotJSON, len(qs))
	for sym, q := range qs {
		snap := snapshotJSON{LatestTrade: toTradeJSON(q), LatestQuote: toQuoteJSON(q)}
		if q.Today != nil {
			b := toBarJSON(*q.Today)
			snap.DailyBar = &b
			mb := barJSON{T: q.At.UTC().Truncate(time.Minute).Format(time.RFC3339), O: num(q.Last), H: num(q.Last), L: num(q.Last), C: num(q.Last), V: 1000, N: 10, VW: num(q.Last)}
			snap.MinuteBar = &mb
		}
		if q.Prev != nil {
			b := toBarJSON(*q.Prev)
			snap.PrevDailyBar = &b
			if q.Today == nil {
				snap.DailyBar = &b
			}
		}
		out[sym] = snap
	}
	writeJSON(w, http.StatusOK, out)
}
