package marketsim_test

import (
	"fmt"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/marketsim"
)

// The generator gives the same bars for the same seed, symbol and date, whatever range is
// asked for; only trading days have bars.
func ExampleGenerator() {
	g := marketsim.NewGenerator(42)
	week, _ := g.DailyBars("TQQQ", time.Date(2024, 3, 25, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	for _, b := range week {
		fmt.Println(b.Date.Format("Mon 2006-01-02"))
	}
	day, _ := marketsim.NewGenerator(42).DailyBars("TQQQ", week[2].Date, week[2].Date)
	fmt.Println(day[0].Close.Equal(week[2].Close))
	// Output:
	// Mon 2024-03-25
	// Tue 2024-03-26
	// Wed 2024-03-27
	// Thu 2024-03-28
	// true
}
