package marketsim_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestGeneratorDeterministicAndRangeIndependent(t *testing.T) {
	g1, g2 := marketsim.NewGenerator(7), marketsim.NewGenerator(7)
	long, err := g1.DailyBars("TQQQ", date("2015-01-01"), date("2024-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	short, err := g2.DailyBars("tqqq", date("2020-03-02"), date("2020-03-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(short) != 22 {
		t.Fatalf("March 2020 has %d bars, want 22", len(short))
	}
	idx := map[time.Time]marketsim.Bar{}
	for _, b := range long {
		idx[b.Date] = b
	}
	for _, b := range short {
		l, ok := idx[b.Date]
		if !ok || !l.Close.Equal(b.Close) || !l.Open.Equal(b.Open) || l.Volume != b.Volume {
			t.Fatalf("bar on %s differs between ranges: %+v vs %+v", b.Date, l, b)
		}
	}
	newYear, _ := marketsim.NewGenerator(7).DailyBars("TQQQ", date("2019-12-20"), date("2020-01-10"))
	if len(newYear) != 14 {
		t.Fatalf("bars across new year = %d, want 14", len(newYear))
	}
	for _, b := range append(short, newYear...) {
		if l := idx[b.Date]; !l.Close.Equal(b.Close) || !l.High.Equal(b.High) {
			t.Fatalf("bar on %s differs between ranges", b.Date)
		}
	}
	other, _ := marketsim.NewGenerator(8).DailyBars("TQQQ", date("2020-03-02"), date("2020-03-31"))
	if other[5].Close.Equal(short[5].Close) {
		t.Errorf("different seeds gave the same close")
	}
}

func TestGeneratorBarsAreSane(t *testing.T) {
	g := marketsim.NewGenerator(1)
	for _, sym := range []string{"QQQ", "TQQQ", "SQQQ", "UVXY", "BIL", "TLT", "SPY", "XYZ"} {
		bars, err := g.DailyBars(sym, date("2010-01-01"), date("2026-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bars {
			if !b.Low.IsPositive() || b.High.LessThan(b.Open) || b.High.LessThan(b.Close) || b.Low.GreaterThan(b.Open) || b.Low.GreaterThan(b.Close) || b.Volume < 0 {
				t.Fatalf("%s %s: bad bar %+v", sym, b.Date.Format(time.DateOnly), b)
			}
			if wd := b.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Fatalf("%s: bar on a weekend %s", sym, b.Date)
			}
		}
	}
}

func ret(b []marketsim.Bar, i int) float64 {
	r, _ := b[i].Close.Div(b[i-1].Close).Sub(decimal.NewFromInt(1)).Float64()
	return r
}

func TestGeneratorRelationships(t *testing.T) {
	g := marketsim.NewGenerator(3)
	from, to := date("2018-01-01"), date("2019-12-31")
	qqq, _ := g.DailyBars("QQQ", from, to)
	tqqq, _ := g.DailyBars("TQQQ", from, to)
	sqqq, _ := g.DailyBars("SQQQ", from, to)
	uvxy, _ := g.DailyBars("UVXY", from, to)
	for i := 1; i < len(qqq); i++ {
		q := ret(qqq, i)
		if d := ret(tqqq, i) - 3*q; d > 0.002 || d < -0.002 {
			t.Fatalf("TQQQ return %.5f is not 3x QQQ %.5f", ret(tqqq, i), q)
		}
		px, _ := sqqq[i].Close.Float64()
		tol := 0.002 + 0.02/px // rounding to a cent or 1/10000 dominates at low prices
		if d := ret(sqqq, i) + 3*q; d > tol || d < -tol {
			t.Fatalf("SQQQ return %.5f is not -3x QQQ %.5f", ret(sqqq, i), q)
		}
		if q < -0.02 && ret(uvxy, i) <= 0 {
			t.Fatalf("%s: QQQ fell %.3f but UVXY did not rise", qqq[i].Date, q)
		}
	}
	if !uvxy[len(uvxy)-1].Close.LessThan(uvxy[0].Close) {
		t.Errorf("UVXY did not decay over two years")
	}
}

func TestLoadCSV(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "all.csv")
	write(t, one, "symbol,date,open,high,low,close,volume\nSPY,2024-01-03,10,11,9,10.5,100\nSPY,2024-01-02,9,10,8,9.5,200\nQQQ,2024-01-02,1,2,1,1.5,300.0\n")
	src, err := marketsim.LoadCSV(one)
	if err != nil {
		t.Fatal(err)
	}
	bars, err := src.DailyBars("spy", date("2024-01-01"), date("2024-01-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 2 || !bars[0].Date.Equal(date("2024-01-02")) || bars[1].Close.String() != "10.5" {
		t.Fatalf("bars = %+v", bars)
	}
	if _, err := src.DailyBars("NOPE", date("2024-01-01"), date("2024-01-31")); !errors.Is(err, marketsim.ErrUnknownSymbol) {
		t.Errorf("unknown symbol error = %v", err)
	}

	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o755)
	write(t, filepath.Join(folder, "TLT.csv"), "date,open,high,low,close,volume\n2024-01-02,90,91,89,90.5,1000\n")
	fsrc, err := marketsim.LoadCSV(folder)
	if err != nil {
		t.Fatal(err)
	}
	if got := fsrc.Symbols(); len(got) != 1 || got[0] != "TLT" {
		t.Errorf("symbols = %v", got)
	}
}

func TestLoadCSVErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no header column", "symbol,date,open,high,low,close\n", `bad.csv:1: header has no "volume"`},
		{"bad price", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,2,1,x,5\n", "bad.csv:2: close \"x\""},
		{"bad date", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,2,1,1,5\nSPY,02/01/2024,1,2,1,1,5\n", "bad.csv:3: date"},
		{"zero price", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,0,2,1,1,5\n", "bad.csv:2: open 0"},
		{"high below low", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,1,2,1,5\n", "bad.csv:2: high"},
		{"short row", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,2\n", "bad.csv:2: missing"},
		{"duplicate", "symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,2,1,1,5\nSPY,2024-01-02,1,2,1,1,5\n", "two bars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "bad.csv")
			write(t, p, tt.body)
			_, err := marketsim.LoadCSV(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("symbol,date,open,high,low,close,volume\nSPY,2024-01-02,1,2,1,1.5,5\n")
	f.Add("date,open,high,low,close,volume\n2024-01-02T00:00:00Z,1,2,1,1,5.0\n")
	f.Add("symbol,date\n\"a")
	f.Fuzz(func(t *testing.T, body string) {
		bars, err := marketsim.ParseCSV(strings.NewReader(body), "fuzz.csv", "")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, bs := range bars {
			for _, b := range bs {
				if !b.Low.IsPositive() || b.High.LessThan(b.Low) {
					t.Fatalf("accepted a bad bar %+v", b)
				}
			}
		}
	})
}

// BenchmarkGenerator60Symbols2Years is the backtester's typical request: 60 symbols, two years.
func BenchmarkGenerator60Symbols2Years(b *testing.B) {
	g := marketsim.NewGenerator(1)
	syms := make([]string, 60)
	for i := range syms {
		syms[i] = fmt.Sprintf("SYM%d", i)
	}
	syms[0], syms[1], syms[2] = "QQQ", "TQQQ", "UVXY"
	from, to := date("2023-01-01"), date("2024-12-31")
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range syms {
			if _, err := g.DailyBars(s, from, to); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkGeneratorCold measures generating one symbol's full history.
func BenchmarkGeneratorCold(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g := marketsim.NewGenerator(int64(i))
		if _, err := g.DailyBars("QQQ", date("2024-01-01"), date("2024-12-31")); err != nil {
			b.Fatal(err)
		}
	}
}
