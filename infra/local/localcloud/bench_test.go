package localcloud_test

import (
	"context"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/localcloud"
	"github.com/alchemiser/alchemiser/infra/local/marketsim"
	"github.com/alchemiser/alchemiser/services/strategy"
	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// BenchmarkWorkflowCycle runs whole warm cycles in one local cloud: start command, signal, plan,
// orders filled by the simulator (zero added latency), terminal events and the email accepted
// by the inbox. Between cycles the account is liquidated (untimed), so every cycle trades the
// full plan. It reports the p50 and p99 of the start-to-email latency, and the strategy
// evaluation alone (the same bundled set on in-memory data) measured in the same run, so the
// event plumbing's cost shows as a ratio. Run with -benchtime=100x for the 100 cycles.
func BenchmarkWorkflowCycle(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	c, err := localcloud.Start(ctx, localcloud.Options{StateDir: dir, Seed: 42, FastRetries: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cycle := func() localcloud.Summary {
		s, err := c.Run(ctx, localcloud.StartCommand{Mode: "trade", Trigger: "cli"})
		if err != nil {
			b.Fatal(err)
		}
		if s.State != "Completed" {
			b.Fatalf("cycle ended %s", s.State)
		}
		return s
	}
	liquidate := func() {
		req, _ := http.NewRequest(http.MethodDelete, c.AlpacaURL()+"/v2/positions", nil)
		req.Header.Set("APCA-API-KEY-ID", alpacasim.DefaultKeyID)
		req.Header.Set("APCA-API-SECRET-KEY", alpacasim.DefaultSecretKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
	cycle() // warm: caches, connections, SQLite pages
	liquidate()

	set, err := strategy.LoadAllocation("dev")
	if err != nil {
		b.Fatal(err)
	}
	asOf := c.Sim.Now()
	hist := history(b, set, asOf)

	var lat, eval []float64
	orders := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := cycle()
		lat = append(lat, s.EmailMS)
		if s.Execution != nil {
			orders += len(s.Execution.Orders)
		}
		b.StopTimer()
		liquidate()
		began := time.Now()
		e, err := symphony.NewEngine(hist)
		if err != nil {
			b.Fatal(err)
		}
		d := e.Dates()
		if _, err := e.EvaluateSet(set, d[len(d)-1]); err != nil {
			b.Fatal(err)
		}
		eval = append(eval, float64(time.Since(began).Microseconds())/1000)
		b.StartTimer()
	}
	p50, p99 := pct(lat, 50), pct(lat, 99)
	e50 := pct(eval, 50)
	b.ReportMetric(p50, "p50-ms")
	b.ReportMetric(p99, "p99-ms")
	b.ReportMetric(e50, "eval-p50-ms")
	b.ReportMetric(p50/e50, "cycle/eval")
	b.ReportMetric(float64(orders)/float64(b.N), "orders/cycle")
}

func pct(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := (len(s)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return s[i-1]
}

// history builds the closes the set needs from the simulator's generator, in memory.
func history(b *testing.B, set *symphony.Set, asOf time.Time) symphony.History {
	b.Helper()
	gen := marketsim.NewGenerator(42)
	an := set.Analyze()
	h := symphony.History{}
	from := asOf.AddDate(0, 0, -int(float64(an.Lookback+strategy.Margin)*1.6)-10)
	for _, s := range an.Symbols {
		bars, err := gen.DailyBars(s.Symbol, from, asOf)
		if err != nil {
			b.Fatal(err)
		}
		for _, bar := range bars {
			f, _ := bar.Close.Float64()
			h[s.Symbol] = append(h[s.Symbol], symphony.Close{Date: bar.Date, Price: f})
		}
	}
	return h
}
