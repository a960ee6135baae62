package localcloud

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
)

// Faults are the failures a local run injects, to show that nothing is duplicated or lost.
type Faults struct {
	// Duplicates delivers every event this many times (1 = once), as EventBridge may.
	Duplicates int
	// Alpaca are the simulator's seeded faults.
	Alpaca alpacasim.Faults
}

// ParseFaults reads a fault spec such as "duplicates=3,alpaca5xx=0.2,seed=7". Keys:
// duplicates (count), seed, latency (duration), alpaca429, alpaca5xx, alpaca5xx-after-accept,
// drop, reject, partial (probabilities in [0, 1]).
func ParseFaults(spec string) (Faults, error) {
	f := Faults{Duplicates: 1}
	if strings.TrimSpace(spec) == "" {
		return f, nil
	}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || v == "" {
			return f, fmt.Errorf("faults %q: %q is not key=value", spec, kv)
		}
		rate := func(dst *float64) error {
			p, err := strconv.ParseFloat(v, 64)
			if err != nil || p < 0 || p > 1 {
				return fmt.Errorf("faults: %s=%s is not a probability in [0, 1]", k, v)
			}
			*dst = p
			return nil
		}
		var err error
		switch k {
		case "duplicates":
			f.Duplicates, err = strconv.Atoi(v)
			if err != nil || f.Duplicates < 1 || f.Duplicates > 10 {
				err = fmt.Errorf("faults: duplicates=%s is not a count from 1 to 10", v)
			}
		case "seed":
			f.Alpaca.Seed, err = strconv.ParseInt(v, 10, 64)
			if err != nil {
				err = fmt.Errorf("faults: seed=%s is not an integer", v)
			}
		case "latency":
			f.Alpaca.Latency, err = time.ParseDuration(v)
			if err != nil || f.Alpaca.Latency < 0 {
				err = fmt.Errorf("faults: latency=%s is not a duration such as 5ms", v)
			}
		case "alpaca429":
			err = rate(&f.Alpaca.RateLimited)
		case "alpaca5xx":
			err = rate(&f.Alpaca.ServerError)
		case "alpaca5xx-after-accept":
			err = rate(&f.Alpaca.ServerErrorAfterAccept)
		case "drop":
			err = rate(&f.Alpaca.Drop)
		case "reject":
			err = rate(&f.Alpaca.Reject)
		case "partial":
			err = rate(&f.Alpaca.PartialFill)
		default:
			err = fmt.Errorf("faults: unknown key %q (want duplicates, seed, latency, alpaca429, alpaca5xx, alpaca5xx-after-accept, drop, reject, partial)", k)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// String writes the spec back.
func (f Faults) String() string {
	var parts []string
	add := func(k string, v float64) {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%g", k, v))
		}
	}
	if f.Duplicates > 1 {
		parts = append(parts, fmt.Sprintf("duplicates=%d", f.Duplicates))
	}
	add("alpaca429", f.Alpaca.RateLimited)
	add("alpaca5xx", f.Alpaca.ServerError)
	add("alpaca5xx-after-accept", f.Alpaca.ServerErrorAfterAccept)
	add("drop", f.Alpaca.Drop)
	add("reject", f.Alpaca.Reject)
	add("partial", f.Alpaca.PartialFill)
	if f.Alpaca.Latency > 0 {
		parts = append(parts, "latency="+f.Alpaca.Latency.String())
	}
	if len(parts) > 0 {
		parts = append(parts, fmt.Sprintf("seed=%d", f.Alpaca.Seed))
	}
	return strings.Join(parts, ",")
}
