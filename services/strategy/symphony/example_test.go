package symphony_test

import (
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

func Example() {
	src := []byte(`(defsymphony "Trend or bonds" {:rebalance-frequency :daily}
  (if (> (current-price "SPY") (moving-average-price "SPY" {:window 3}))
      [(weight-specified 0.75 (asset "SPY") 0.25 (asset "TLT"))]
      [(asset "BIL")]))`)
	p, err := symphony.Parse("example.clj", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range p.Analyze().Symbols {
		fmt.Printf("%s needs %d closes\n", s.Symbol, s.Lookback)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	h := symphony.History{
		"SPY": {{Date: day(2), Price: 500}, {Date: day(3), Price: 505}, {Date: day(4), Price: 515}},
		"TLT": {{Date: day(2), Price: 90}, {Date: day(3), Price: 91}, {Date: day(4), Price: 90}},
		"BIL": {{Date: day(2), Price: 91}, {Date: day(3), Price: 91}, {Date: day(4), Price: 91}},
	}
	e, err := symphony.NewEngine(h)
	if err != nil {
		fmt.Println(err)
		return
	}
	alloc, trace, asOf, err := e.Evaluate(p, day(4))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("as of", asOf.Format(time.DateOnly))
	for _, w := range alloc {
		fmt.Println(w.Symbol, w.Weight)
	}
	fmt.Println(trace[0])
	// Output:
	// BIL needs 1 closes
	// SPY needs 3 closes
	// TLT needs 1 closes
	// as of 2026-03-04
	// SPY 0.75
	// TLT 0.25
	// current-price(SPY)=515.00 > moving-average-price(SPY,3)=506.67 -> then
}
