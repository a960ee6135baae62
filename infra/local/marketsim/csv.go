package marketsim

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CSVSource is a Source of real bars loaded from CSV. It is read-only after loading and safe
// for concurrent use.
type CSVSource struct {
	bars map[string][]Bar // sorted by date, no duplicates
}

var _ Source = (*CSVSource)(nil)

// LoadCSV loads bars from path: either one file with the columns
// symbol,date,open,high,low,close,volume, or a folder of SYMBOL.csv files whose symbol column
// may be left out. A header row naming the columns is required; column order is free and other
// columns are ignored. Dates are YYYY-MM-DD (an RFC 3339 timestamp is accepted and its UTC
// date used). Errors name the file and line.
func LoadCSV(path string) (*CSVSource, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load bars: %w", err)
	}
	src := &CSVSource{bars: make(map[string][]Bar)}
	if !info.IsDir() {
		if err := src.loadFile(path, ""); err != nil {
			return nil, err
		}
		return src, src.finish()
	}
	files, err := filepath.Glob(filepath.Join(path, "*.csv"))
	if err != nil {
		return nil, fmt.Errorf("load bars from %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load bars from %s: no .csv files", path)
	}
	sort.Strings(files)
	for _, f := range files {
		sym := strings.ToUpper(strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)))
		if err := src.loadFile(f, sym); err != nil {
			return nil, err
		}
	}
	return src, src.finish()
}

func (s *CSVSource) loadFile(path, symbol string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("load bars: %w", err)
	}
	defer f.Close()
	bars, err := ParseCSV(f, path, symbol)
	if err != nil {
		return err
	}
	for sym, b := range bars {
		s.bars[sym] = append(s.bars[sym], b...)
	}
	return nil
}

func (s *CSVSource) finish() error {
	for sym, b := range s.bars {
		sort.SliceStable(b, func(i, j int) bool { return b[i].Date.Before(b[j].Date) })
		for i := 1; i < len(b); i++ {
			if b[i].Date.Equal(b[i-1].Date) {
				return fmt.Errorf("load bars: %s has two bars on %s", sym, b[i].Date.Format(time.DateOnly))
			}
		}
	}
	return nil
}

// ParseCSV reads bars from r; name is used in error messages. When symbol is not empty, a
// missing symbol column means every row belongs to symbol.
func ParseCSV(r io.Reader, name, symbol string) (map[string][]Bar, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file, want a header row", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	need := []string{"date", "open", "high", "low", "close", "volume"}
	if symbol == "" {
		need = append([]string{"symbol"}, need...)
	}
	for _, c := range need {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s:1: header has no %q column (want %s)", name, c, strings.Join(need, ","))
		}
	}
	symCol, hasSym := col["symbol"]
	out := make(map[string][]Bar)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A csv.ParseError carries the line number.
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		field := func(c string) (string, error) {
			i := col[c]
			if i >= len(rec) {
				return "", fmt.Errorf("%s:%d: missing %s column", name, line, c)
			}
			return strings.TrimSpace(rec[i]), nil
		}
		sym := symbol
		if hasSym && symCol < len(rec) && strings.TrimSpace(rec[symCol]) != "" {
			sym = strings.ToUpper(strings.TrimSpace(rec[symCol]))
		}
		if sym == "" {
			return nil, fmt.Errorf("%s:%d: empty symbol", name, line)
		}
		ds, err := field("date")
		if err != nil {
			return nil, err
		}
		date, err := parseDate(ds)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: date %q: want YYYY-MM-DD", name, line, ds)
		}
		var px [4]decimal.Decimal
		for i, c := range []string{"open", "high", "low", "close"} {
			v, err := field(c)
			if err != nil {
				return nil, err
			}
			d, err := decimal.NewFromString(v)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s %q: not a decimal number", name, line, c, v)
			}
			if !d.IsPositive() {
				return nil, fmt.Errorf("%s:%d: %s %s: prices must be positive", name, line, c, v)
			}
			px[i] = d
		}
		if px[1].LessThan(px[2]) {
			return nil, fmt.Errorf("%s:%d: high %s below low %s", name, line, px[1], px[2])
		}
		vs, err := field("volume")
		if err != nil {
			return nil, err
		}
		vol, err := parseVolume(vs)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: volume %q: want a non-negative whole number", name, line, vs)
		}
		out[sym] = append(out[sym], Bar{Date: date, Open: px[0], High: px[1], Low: px[2], Close: px[3], Volume: vol})
	}
	return out, nil
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

func parseVolume(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && v >= 0 {
		return v, nil
	}
	// Some exports write volume as 1234.0.
	d, err := decimal.NewFromString(s)
	if err != nil || d.IsNegative() || !d.Equal(d.Truncate(0)) || d.GreaterThan(decimal.NewFromInt(1<<62)) {
		return 0, errors.New("bad volume")
	}
	return d.IntPart(), nil
}

// DailyBars returns the loaded bars of symbol dated from from to to inclusive, or an error
// wrapping ErrUnknownSymbol.
func (s *CSVSource) DailyBars(symbol string, from, to time.Time) ([]Bar, error) {
	b, ok := s.bars[strings.ToUpper(strings.TrimSpace(symbol))]
	if !ok {
		return nil, fmt.Errorf("csv bars %q: %w", symbol, ErrUnknownSymbol)
	}
	return window(b, from, to), nil
}

// Symbols returns the loaded symbols, sorted.
func (s *CSVSource) Symbols() []string {
	out := make([]string, 0, len(s.bars))
	for sym := range s.bars {
		out = append(out, sym)
	}
	sort.Strings(out)
	return out
}

// LastDate returns the latest date of any loaded bar.
func (s *CSVSource) LastDate() time.Time {
	var last time.Time
	for _, b := range s.bars {
		if n := len(b); n > 0 && b[n-1].Date.After(last) {
			last = b[n-1].Date
		}
	}
	return last
}
