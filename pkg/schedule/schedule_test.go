package schedule_test

import (
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/schedule"
)

func TestNext(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		expr, zone string
		after      time.Time
		want       time.Time
	}{
		{schedule.ProductionTrading, "America/New_York", time.Date(2026, 11, 27, 9, 35, 0, 0, ny), time.Date(2026, 11, 30, 9, 35, 0, 0, ny)}, // Friday -> Monday
		{schedule.ProductionTrading, "America/New_York", time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 9, 35, 0, 0, ny)},
		{schedule.ProductionTrading, "America/New_York", time.Date(2026, 3, 6, 12, 0, 0, 0, ny), time.Date(2026, 3, 9, 9, 35, 0, 0, ny)}, // across DST start
		{"cron(0/15 * * * ? *)", "", time.Date(2026, 1, 1, 10, 7, 0, 0, time.UTC), time.Date(2026, 1, 1, 10, 15, 0, 0, time.UTC)},
		{"cron(0 12 L * ? *)", "", time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)},
		{"cron(0 8 1 JAN ? 2027)", "", time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC)},
		{"rate(1 minute)", "", time.Date(2026, 1, 1, 10, 7, 30, 0, time.UTC), time.Date(2026, 1, 1, 10, 8, 0, 0, time.UTC)},
		{"rate(2 hours)", "", time.Date(2026, 1, 1, 10, 7, 30, 0, time.UTC), time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)},
		{"at(2026-12-01T09:35:00)", "America/New_York", time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 35, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := schedule.Parse(tt.expr, tt.zone)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := e.Next(tt.after)
			if !ok || !got.Equal(tt.want) {
				t.Fatalf("Next(%s) = %s, %v; want %s", tt.after, got, ok, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"cron(35 9 * * MON-FRI *)", "exactly one of them must be ?"},
		{"cron(35 9 ? * MON-FRI)", "6 fields"},
		{"cron(61 9 ? * MON *)", "minutes: 61 is outside 0-59"},
		{"cron(0 9 ? * 2#1 *)", "uses L, W or #"},
		{"rate(0 minutes)", "not a positive whole number"},
		{"rate(5 minute)", "singular"},
		{"rate(5 weeks)", "is not minute(s)"},
		{"at(tomorrow)", "yyyy-mm-ddThh:mm:ss"},
		{"every day", "want rate(...)"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := schedule.Parse(tt.expr, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

func TestForStage(t *testing.T) {
	defs, err := schedule.ForStage("prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if defs[0].Expression != "cron(35 9 ? * MON-FRI *)" || defs[0].TimeZone != "America/New_York" {
		t.Fatalf("prod trading schedule = %+v", defs[0])
	}
	in := string(defs[0].InputAt(time.Date(2026, 11, 30, 14, 35, 0, 0, time.UTC)))
	if in != `{"mode":"trade","trigger":"schedule","scheduled_for":"2026-11-30T14:35:00Z"}` {
		t.Fatalf("input = %s", in)
	}
	if _, err := schedule.ForStage("dev", "cron(bad)"); err == nil {
		t.Fatal("a bad dev expression was accepted")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"cron(35 9 ? * MON-FRI *)", "rate(5 minutes)", "at(2026-01-01T00:00:00)", "cron(0/5 1-3,7 L * ? 2026-2030)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := schedule.Parse(s, "")
		if err != nil {
			return
		}
		e.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	})
}
