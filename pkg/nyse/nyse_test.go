package nyse_test

import (
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/nyse"
)

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsTradingDay(t *testing.T) {
	tests := []struct {
		date string
		want bool
		name string
	}{
		{"2024-01-01", false, "New Year's Day"},
		{"2024-01-02", true, ""},
		{"2023-01-02", false, "New Year's Day"}, // Sunday 1 Jan observed Monday
		{"2021-12-31", true, ""},                // Saturday 1 Jan 2022 is not observed
		{"2024-01-15", false, "Martin Luther King Jr. Day"},
		{"2024-02-19", false, "Washington's Birthday"},
		{"2024-03-29", false, "Good Friday"},
		{"2025-04-18", false, "Good Friday"},
		{"2016-03-25", false, "Good Friday"},
		{"2035-03-23", false, "Good Friday"},
		{"2024-05-27", false, "Memorial Day"},
		{"2021-06-18", true, ""}, // Juneteenth starts in 2022
		{"2022-06-20", false, "Juneteenth"},
		{"2024-06-19", false, "Juneteenth"},
		{"2020-07-03", false, "Independence Day"},
		{"2021-07-05", false, "Independence Day"},
		{"2024-09-02", false, "Labor Day"},
		{"2024-11-28", false, "Thanksgiving Day"},
		{"2024-12-25", false, "Christmas Day"},
		{"2021-12-24", false, "Christmas Day"},
		{"2022-12-26", false, "Christmas Day"},
		{"2012-10-29", false, "Hurricane Sandy"},
		{"2025-01-09", false, "National Day of Mourning (Carter)"},
		{"2001-09-12", false, "September 11"},
		{"2024-07-06", false, ""}, // Saturday
		{"2024-07-05", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			if got := nyse.IsTradingDay(d(tt.date)); got != tt.want {
				t.Errorf("IsTradingDay(%s) = %v, want %v", tt.date, got, tt.want)
			}
			name, _ := nyse.HolidayName(d(tt.date))
			if name != tt.name {
				t.Errorf("HolidayName(%s) = %q, want %q", tt.date, name, tt.name)
			}
		})
	}
}

func TestTradingDayCounts(t *testing.T) {
	// Published NYSE trading-day counts per year.
	want := map[int]int{2015: 252, 2016: 252, 2017: 251, 2018: 251, 2019: 252, 2020: 253, 2021: 252, 2022: 251, 2023: 250, 2024: 252}
	for y, n := range want {
		got := len(nyse.TradingDays(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)))
		if got != n {
			t.Errorf("%d: %d trading days, want %d", y, got, n)
		}
	}
}

func TestSessionEarlyClose(t *testing.T) {
	tests := []struct {
		date  string
		early bool
	}{
		{"2024-07-03", true},
		{"2023-07-03", true},
		{"2024-11-29", true},
		{"2024-12-24", true},
		{"2019-12-24", true},
		{"2024-07-02", false},
		{"2024-12-31", false},
		{"2022-07-01", false}, // 4 July 2022 is a Monday: no early close on the Friday
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			s, ok := nyse.SessionOn(d(tt.date))
			if !ok {
				t.Fatalf("%s is not a trading day", tt.date)
			}
			if s.EarlyClose != tt.early {
				t.Errorf("EarlyClose = %v, want %v", s.EarlyClose, tt.early)
			}
			wantClose := 16
			if tt.early {
				wantClose = 13
			}
			if h := s.Close.In(nyse.NewYork).Hour(); h != wantClose {
				t.Errorf("close hour %d, want %d", h, wantClose)
			}
			if o := s.Open.In(nyse.NewYork); o.Hour() != 9 || o.Minute() != 30 {
				t.Errorf("open %v, want 09:30", o)
			}
		})
	}
}

func TestNextOpenClose(t *testing.T) {
	ny := nyse.NewYork
	tests := []struct {
		name      string
		at        time.Time
		open      bool
		nextOpen  time.Time
		nextClose time.Time
	}{
		{"before open", time.Date(2024, 3, 28, 8, 0, 0, 0, ny), false,
			time.Date(2024, 3, 28, 9, 30, 0, 0, ny), time.Date(2024, 3, 28, 16, 0, 0, 0, ny)},
		{"during session skips Good Friday", time.Date(2024, 3, 28, 10, 0, 0, 0, ny), true,
			time.Date(2024, 4, 1, 9, 30, 0, 0, ny), time.Date(2024, 3, 28, 16, 0, 0, 0, ny)},
		{"at close", time.Date(2024, 3, 28, 16, 0, 0, 0, ny), false,
			time.Date(2024, 4, 1, 9, 30, 0, 0, ny), time.Date(2024, 4, 1, 16, 0, 0, 0, ny)},
		{"early close day after 13:00", time.Date(2024, 11, 29, 13, 30, 0, 0, ny), false,
			time.Date(2024, 12, 2, 9, 30, 0, 0, ny), time.Date(2024, 12, 2, 16, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nyse.IsOpen(tt.at); got != tt.open {
				t.Errorf("IsOpen = %v, want %v", got, tt.open)
			}
			if got := nyse.NextOpen(tt.at); !got.Equal(tt.nextOpen) {
				t.Errorf("NextOpen = %v, want %v", got, tt.nextOpen)
			}
			if got := nyse.NextClose(tt.at); !got.Equal(tt.nextClose) {
				t.Errorf("NextClose = %v, want %v", got, tt.nextClose)
			}
		})
	}
}

func TestStepping(t *testing.T) {
	if got := nyse.PreviousTradingDay(d("2024-04-01")); !got.Equal(d("2024-03-28")) {
		t.Errorf("PreviousTradingDay = %v", got)
	}
	if got := nyse.NextTradingDay(d("2024-12-24")); !got.Equal(d("2024-12-26")) {
		t.Errorf("NextTradingDay = %v", got)
	}
	if got := nyse.LastClose(time.Date(2024, 4, 1, 9, 0, 0, 0, nyse.NewYork)); !got.Equal(time.Date(2024, 3, 28, 16, 0, 0, 0, nyse.NewYork)) {
		t.Errorf("LastClose = %v", got)
	}
}

func BenchmarkTradingDays(b *testing.B) {
	from, to := d("2010-01-01"), d("2025-12-31")
	for b.Loop() {
		_ = nyse.TradingDays(from, to)
	}
}
