// Package synth makes deterministic random-walk price histories for tests and benchmarks.
package synth

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/alchemiser/alchemiser/services/strategy/symphony"
)

// Start is the first date of every history.
var Start = time.Date(2014, 1, 2, 0, 0, 0, 0, time.UTC)

// Weekdays returns n weekdays from Start.
func Weekdays(n int) []time.Time {
	out := make([]time.Time, 0, n)
	for d := Start; len(out) < n; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// History returns n daily closes per symbol, a geometric random walk seeded by seed and the
// symbol's name.
func History(symbols []string, n int, seed uint64) symphony.History {
	days := Weekdays(n)
	h := make(symphony.History, len(symbols))
	for _, s := range symbols {
		f := fnv.New64a()
		f.Write([]byte(s))
		r := rand.New(rand.NewPCG(seed, f.Sum64()))
		vol := 0.005 + 0.02*r.Float64()
		p := 20 + 200*r.Float64()
		cs := make([]symphony.Close, n)
		for i, d := range days {
			p *= math.Exp(r.NormFloat64()*vol + 0.0002)
			cs[i] = symphony.Close{Date: d, Price: math.Round(p*100) / 100}
		}
		h[s] = cs
	}
	return h
}
