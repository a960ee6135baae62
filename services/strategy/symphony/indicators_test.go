package symphony_test

import (
	"math"
	"testing"

	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// wilderCloses is the 14-day RSI worked example used by the standard references (StockCharts'
// ChartSchool spreadsheet of Wilder's method): 33 closes, the first RSI on the 15th.
var wilderCloses = []float64{
	44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826,
	45.8931, 46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439,
	46.2122, 46.2521, 45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672,
	43.4205, 42.6628, 43.1314,
}

var wilderRSI14 = []float64{
	70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99,
	41.46, 41.87, 45.46, 37.30, 33.08, 37.77,
}

func TestRSIWilderClassic(t *testing.T) {
	got := symphony.RSI.Series(wilderCloses, 14)
	for i := 0; i < 14; i++ {
		if !math.IsNaN(got[i]) {
			t.Fatalf("rsi[%d] = %v, want NaN before 15 closes", i, got[i])
		}
	}
	for i, want := range wilderRSI14 {
		if g := got[14+i]; math.Abs(g-want) > 0.01 {
			t.Errorf("rsi[%d] = %.4f, want %.2f", 14+i, g, want)
		}
	}
}

func TestIndicatorTextbookValues(t *testing.T) {
	closes := []float64{10, 11, 12, 11, 13, 12, 14}
	tests := []struct {
		name   string
		fn     symphony.Indicator
		window int
		at     int
		want   float64
	}{
		{"current price", symphony.CurrentPrice, 0, 6, 14},
		{"sma 3", symphony.MovingAveragePrice, 3, 6, 13},
		{"sma 5", symphony.MovingAveragePrice, 5, 6, 12.4},
		// EMA(3), a = 0.5, seeded with SMA(10,11,12)=11: 11 -> 11 -> 12 -> 12 -> 13.
		{"ema 3", symphony.ExponentialMovingAveragePrice, 3, 6, 13},
		{"ema 3 at seed", symphony.ExponentialMovingAveragePrice, 3, 2, 11},
		{"cumulative return 2", symphony.CumulativeReturn, 2, 6, (14.0/13 - 1) * 100},
		{"cumulative return 6", symphony.CumulativeReturn, 6, 6, 40},
		{"ma return 2", symphony.MovingAverageReturn, 2, 2, ((11.0/10 - 1) + (12.0/11 - 1)) / 2 * 100},
		// sample stdev of 10, 11, 12 is 1.
		{"stdev price 3", symphony.StdevPrice, 3, 2, 1},
		// returns +10% and +1/11: sample stdev of two values is |a-b|/sqrt(2).
		{"stdev return 2", symphony.StdevReturn, 2, 2, (0.1 - 1.0/11) / math.Sqrt2 * 100},
		// peak 13, trough 12: 7.69%.
		{"max drawdown 2", symphony.MaxDrawdown, 2, 5, (13.0 - 12) / 13 * 100},
		// peak 12, trough 11 within 12,11,13,12,14: 8.33%.
		{"max drawdown 4", symphony.MaxDrawdown, 4, 6, (12.0 - 11) / 12 * 100},
		{"rsi all gains", symphony.RSI, 2, 2, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.fn.Series(closes, max(tt.window, 1))[tt.at]
			if math.Abs(got-tt.want) > 1e-9 {
				t.Fatalf("%s(%d)[%d] = %v, want %v", tt.fn, tt.window, tt.at, got, tt.want)
			}
		})
	}
}

func TestStdevReturnIsSampleNotAnnualised(t *testing.T) {
	closes := []float64{100, 101, 100, 101, 100}
	rets := []float64{0.01, 100.0/101 - 1, 0.01, 100.0/101 - 1}
	m := (rets[0] + rets[1] + rets[2] + rets[3]) / 4
	ss := 0.0
	for _, r := range rets {
		ss += (r - m) * (r - m)
	}
	want := math.Sqrt(ss/3) * 100
	got := symphony.StdevReturn.Series(closes, 4)[4]
	if math.Abs(got-want) > 1e-12 {
		t.Fatalf("stdev-return = %v, want sample %v", got, want)
	}
}
