package symphony_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/services/strategy/internal/synth"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// series builds a History from per-symbol close lists on consecutive weekdays.
func series(cl map[string][]float64) symphony.History {
	n := 0
	for _, c := range cl {
		n = max(n, len(c))
	}
	days := synth.Weekdays(n)
	h := symphony.History{}
	for s, c := range cl {
		off := n - len(c)
		for i, p := range c {
			h[s] = append(h[s], symphony.Close{Date: days[off+i], Price: p})
		}
	}
	return h
}

func mustParse(t testing.TB, src string) *symphony.Program {
	t.Helper()
	p, err := symphony.Parse("t.clj", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func evalAt(t testing.TB, h symphony.History, src string) (symphony.Allocation, []string) {
	t.Helper()
	e, err := symphony.NewEngine(h)
	if err != nil {
		t.Fatal(err)
	}
	d := e.Dates()
	a, tr, _, err := e.Evaluate(mustParse(t, src), d[len(d)-1])
	if err != nil {
		t.Fatal(err)
	}
	return a, tr
}

func allocString(a symphony.Allocation) string {
	parts := make([]string, len(a))
	for i, w := range a {
		parts[i] = w.Symbol + "=" + w.Weight.String()
	}
	return strings.Join(parts, " ")
}

// Legacy bug 1: {:window N} was ignored, so every RSI was an RSI 14 and every average an MA 200.
func TestLegacyWindowHonoured(t *testing.T) {
	// 200 slowly falling closes then 3 sharp rises: RSI(2) is 100, RSI(14) is low; the 3-day
	// average is far above the 200-day one.
	var spy []float64
	for i := 0; i < 200; i++ {
		spy = append(spy, 200-0.5*float64(i))
	}
	spy = append(spy, 101, 101.5, 102)
	h := series(map[string][]float64{"SPY": spy, "A": spy, "B": spy})
	tests := []struct {
		window    int
		fn        string
		threshold int
		want      string
		trace     string
	}{
		{2, "rsi", 60, "A=1", "rsi(SPY,2)=87.50 > 60 -> then"},
		{14, "rsi", 60, "B=1", "rsi(SPY,14)=19.9"},
		{3, "moving-average-price", 120, "B=1", "moving-average-price(SPY,3)=101.50 > 120 -> else"},
		{200, "moving-average-price", 120, "A=1", "moving-average-price(SPY,200)=148.78 > 120 -> then"},
	}
	for _, tt := range tests {
		src := `(defsymphony "w" {} (if (> (` + tt.fn + ` "SPY" {:window ` + itoa(tt.window) + `}) ` + itoa(tt.threshold) + `) [(asset "A")] [(asset "B")]))`
		a, tr := evalAt(t, h, src)
		if got := allocString(a); got != tt.want {
			t.Errorf("%s window %d: allocation %s, want %s (trace %v)", tt.fn, tt.window, got, tt.want, tr)
		}
		if len(tr) != 1 || !strings.HasPrefix(tr[0], tt.trace) {
			t.Errorf("%s window %d: trace %v, want %q", tt.fn, tt.window, tr, tt.trace)
		}
	}
	want := symphony.RSI.Series(spy, 14)[len(spy)-1]
	_, tr := evalAt(t, h, `(defsymphony "w" {} (if (> (rsi "SPY" {:window 14}) 60) [(asset "A")] [(asset "B")]))`)
	if !strings.Contains(tr[0], "="+strconvF(want)+" ") {
		t.Errorf("trace %q does not carry rsi(14) = %.2f", tr[0], want)
	}
}

// Legacy bug 2: weight-equal flattened nested weights, so a 75/25 group became 50/50.
func TestLegacyWeightEqualKeepsNestedWeights(t *testing.T) {
	h := series(map[string][]float64{"A": {1, 2}, "B": {1, 2}, "C": {1, 2}})
	a, _ := evalAt(t, h, `(defsymphony "n" {}
  (weight-equal [
    (group "75/25" [(weight-specified 0.75 (asset "A") 0.25 (asset "B"))])
    (asset "C")]))`)
	if got, want := allocString(a), "A=0.375 B=0.125 C=0.5"; got != want {
		t.Fatalf("allocation %s, want %s", got, want)
	}
}

// Legacy bug 3: filter over groups ranked the member symbols instead of the groups.
func TestLegacyFilterRanksGroupsNotMembers(t *testing.T) {
	// Over 5 days: X +50%, W -60% (group "XW" equal weight: about -5%); Y +10%, Z +10% (group
	// "YZ": +10%). The best member is X, but the best group is YZ.
	h := series(map[string][]float64{
		"X": {100, 110, 120, 130, 140, 150},
		"W": {100, 80, 60, 50, 45, 40},
		"Y": {100, 102, 104, 106, 108, 110},
		"Z": {100, 102, 104, 106, 108, 110},
	})
	a, tr := evalAt(t, h, `(defsymphony "f" {}
  (filter (cumulative-return {:window 5}) (select-top 1)
    [(group "XW" [(weight-equal [(asset "X") (asset "W")])])
     (group "YZ" [(weight-equal [(asset "Y") (asset "Z")])])]))`)
	if got, want := allocString(a), "Y=0.5 Z=0.5"; got != want {
		t.Fatalf("allocation %s, want %s (trace %v)", got, want, tr)
	}
	if len(tr) == 0 || !strings.HasPrefix(tr[0], `filter cumulative-return(5) select-top 1: group "XW"=`) || !strings.HasSuffix(tr[0], `-> group "YZ"`) {
		t.Fatalf("trace %v", tr)
	}
}

// A group holding one asset must rank exactly like the asset: its simulated NAV moves with it.
func TestGroupSeriesMatchesSingleAsset(t *testing.T) {
	h := synth.History([]string{"SPY", "TLT"}, 300, 7)
	e, err := symphony.NewEngine(h)
	if err != nil {
		t.Fatal(err)
	}
	d := e.Dates()
	for _, ind := range []string{"cumulative-return", "stdev-return", "rsi", "max-drawdown", "moving-average-return"} {
		src := `(defsymphony "g" {} (filter (` + ind + ` {:window 10}) (select-top 1) [(group "S" [(asset "SPY")]) (asset "SPY")]))`
		_, tr, _, err := e.Evaluate(mustParse(t, src), d[len(d)-1])
		if err != nil {
			t.Fatal(err)
		}
		// trace: filter ...: group "S"=v1, SPY=v2 -> ...
		body := tr[0][strings.Index(tr[0], ": ")+2 : strings.Index(tr[0], " ->")]
		vals := strings.Split(body, ", ")
		if strings.TrimPrefix(vals[0], `group "S"=`) != strings.TrimPrefix(vals[1], "SPY=") {
			t.Errorf("%s: group %s vs asset %s", ind, vals[0], vals[1])
		}
	}
}

func TestWeightsSumToExactlyOne(t *testing.T) {
	h := series(map[string][]float64{"A": {1, 2}, "B": {1, 2}, "C": {1, 2}, "D": {1, 2}, "E": {1, 2}, "F": {1, 2}, "G": {1, 2}})
	a, _ := evalAt(t, h, `(defsymphony "thirds" {}
  (weight-equal [(asset "A") (weight-equal [(asset "B") (asset "C") (weight-specified 1 (asset "D") 2 (asset "E") 4 (asset "F"))]) (asset "G")]))`)
	assertSumsToOne(t, a)
	if got, want := allocString(a), "A=0.33333333 B=0.11111111 C=0.11111111 D=0.01587302 E=0.03174603 F=0.06349207 G=0.33333333"; got != want {
		t.Fatalf("allocation %s, want %s", got, want)
	}
}

func TestEmptyDropsOutAndAllEmptyIsCash(t *testing.T) {
	h := series(map[string][]float64{"A": {1, 2, 3}, "B": {1, 2, 3}})
	a, _ := evalAt(t, h, `(defsymphony "e" {} (weight-specified 0.5 (asset "A") 0.5 (if (> (current-price "A") 100) [(asset "B")] [])))`)
	if got := allocString(a); got != "A=1" {
		t.Fatalf("allocation %s, want A=1", got)
	}
	a, _ = evalAt(t, h, `(defsymphony "e" {} (weight-equal [(empty) (filter (current-price) (select-top 1) [(empty)])]))`)
	if len(a) != 0 {
		t.Fatalf("allocation %v, want empty (all cash)", a)
	}
}

func TestComparisonsAndLogic(t *testing.T) {
	h := series(map[string][]float64{"S": {10, 10, 10, 10}, "A": {1, 1, 1, 1}, "B": {1, 1, 1, 1}})
	tests := []struct {
		cond string
		want string
	}{
		{`(= (current-price "S") 10)`, "A=1"},
		{`(>= (current-price "S") 10)`, "A=1"},
		{`(<= (current-price "S") 10)`, "A=1"},
		{`(> (current-price "S") 10)`, "B=1"},
		{`(< (current-price "S") 10)`, "B=1"},
		{`(> 11 (current-price "S"))`, "A=1"},
		{`(= (moving-average-price "S" 3) (current-price "S"))`, "A=1"},
		{`(and (= (current-price "S") 10) (> (current-price "S") 10))`, "B=1"},
		{`(or (= (current-price "S") 10) (> (current-price "S") 10))`, "A=1"},
		{`(= (rsi "S" 2) 50)`, "A=1"},
		{`(= (stdev-return "S" 3) 0)`, "A=1"},
	}
	for _, tt := range tests {
		a, tr := evalAt(t, h, `(defsymphony "c" {} (if `+tt.cond+` [(asset "A")] [(asset "B")]))`)
		if got := allocString(a); got != tt.want {
			t.Errorf("%s: %s, want %s (%v)", tt.cond, got, tt.want, tr)
		}
	}
}

func TestInverseVolatility(t *testing.T) {
	// A moves +-1% a day, B +-2%: weights 2/3 and 1/3.
	var a, b []float64
	pa, pb := 100.0, 100.0
	for i := 0; i < 30; i++ {
		s := 1.0
		if i%2 == 1 {
			s = -1
		}
		pa *= 1 + 0.01*s
		pb *= 1 + 0.02*s
		a, b = append(a, pa), append(b, pb)
	}
	h := series(map[string][]float64{"A": a, "B": b})
	got, tr := evalAt(t, h, `(defsymphony "iv" {} (weight-inverse-volatility 20 [(asset "A") (asset "B")]))`)
	wa := got[0].Weight.InexactFloat64()
	if math.Abs(wa-2.0/3) > 0.005 {
		t.Fatalf("A weight %v, want about 2/3 (%v)", wa, tr)
	}
	assertSumsToOne(t, got)
}

func TestMissingDataNamesSymbolAndDates(t *testing.T) {
	h := series(map[string][]float64{"SPY": {1, 2, 3, 4, 5}, "BIL": {1, 2, 3, 4, 5}})
	e, _ := symphony.NewEngine(h)
	d := e.Dates()
	_, _, _, err := e.Evaluate(mustParse(t, `(defsymphony "m" {} (if (> (rsi "XLE" 2) 50) [(asset "SPY")] [(asset "BIL")]))`), d[4])
	var de *symphony.DataError
	if !errors.As(err, &de) || de.Symbol != "XLE" {
		t.Fatalf("err = %v, want a DataError for XLE", err)
	}
	want := "no data for XLE: need 21 daily closes from before the first loaded date to " + d[4].Format(time.DateOnly) + ", have 0"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v\nwant containing %s", err, want)
	}
	_, _, _, err = e.Evaluate(mustParse(t, `(defsymphony "m" {} (if (> (moving-average-price "SPY" 3) 50) [(asset "SPY")] [(asset "BIL")]))`), d[1])
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "need 3 daily closes") || !strings.Contains(err.Error(), "have 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestSetPolicies(t *testing.T) {
	h := series(map[string][]float64{"A": {1, 2, 3}, "B": {1, 2, 3}})
	good := mustParse(t, `(defsymphony "good" {} (asset "A"))`)
	bad := mustParse(t, `(defsymphony "bad" {} (if (> (rsi "NODATA" 2) 1) [(asset "B")] [(asset "B")]))`)
	other := mustParse(t, `(defsymphony "other" {} (asset "B"))`)
	e, _ := symphony.NewEngine(h)
	d := e.Dates()[2]
	set := &symphony.Set{Policy: symphony.PolicyFail, Members: []symphony.Member{
		{Program: good, Weight: dec("0.5")}, {Program: bad, Weight: dec("0.25")}, {Program: other, Weight: dec("0.25")}}}
	if _, err := e.EvaluateSet(set, d); err == nil || !strings.Contains(err.Error(), "NODATA") {
		t.Fatalf("fail policy: err = %v", err)
	}
	set.Policy = symphony.PolicyRedistribute
	res, err := e.EvaluateSet(set, d)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := allocString(res.Weights), "A=0.66666667 B=0.33333333"; got != want {
		t.Fatalf("redistributed %s, want %s", got, want)
	}
	if res.Strategies[1].Err == nil || !res.Strategies[1].Weight.IsZero() {
		t.Fatalf("failed strategy not recorded: %+v", res.Strategies[1])
	}
	if tr := res.Trace(); len(tr) != 1 || !strings.HasPrefix(tr[0], "bad: failed: evaluate t.clj: no data for NODATA") {
		t.Fatalf("trace %v", tr)
	}
}
