package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expr is a parsed schedule expression.
type Expr interface {
	// Next returns the first firing strictly after t, and false when there is none (an at(...)
	// in the past).
	Next(t time.Time) (time.Time, bool)
	// String returns the expression as written.
	String() string
}

// Parse reads an EventBridge Scheduler expression. zone names the time zone of cron and at
// expressions; empty means UTC.
func Parse(expr, zone string) (Expr, error) {
	loc := time.UTC
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return nil, fmt.Errorf("schedule %q: time zone %q: %w", expr, zone, err)
		}
		loc = l
	}
	open := strings.IndexByte(expr, '(')
	if open < 0 || !strings.HasSuffix(expr, ")") {
		return nil, fmt.Errorf("schedule %q: want rate(...), cron(...) or at(...)", expr)
	}
	kind, body := expr[:open], strings.TrimSpace(expr[open+1:len(expr)-1])
	switch kind {
	case "rate":
		return parseRate(expr, body)
	case "cron":
		return parseCron(expr, body, loc)
	case "at":
		t, err := time.ParseInLocation("2006-01-02T15:04:05", body, loc)
		if err != nil {
			return nil, fmt.Errorf("schedule %q: at(...) wants yyyy-mm-ddThh:mm:ss", expr)
		}
		return at{src: expr, t: t}, nil
	}
	return nil, fmt.Errorf("schedule %q: %q is not rate, cron or at", expr, kind)
}

type at struct {
	src string
	t   time.Time
}

func (a at) Next(t time.Time) (time.Time, bool) { return a.t, a.t.After(t) }
func (a at) String() string                     { return a.src }

type rate struct {
	src   string
	every time.Duration
}

func parseRate(src, body string) (Expr, error) {
	f := strings.Fields(body)
	if len(f) != 2 {
		return nil, fmt.Errorf("schedule %q: rate wants a value and a unit, such as rate(5 minutes)", src)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("schedule %q: rate value %q is not a positive whole number", src, f[0])
	}
	unit := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour,
		"hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}[f[1]]
	if unit == 0 {
		return nil, fmt.Errorf("schedule %q: rate unit %q is not minute(s), hour(s) or day(s)", src, f[1])
	}
	if (n == 1) != !strings.HasSuffix(f[1], "s") {
		return nil, fmt.Errorf("schedule %q: write rate(1 %s) in the singular and other values in the plural", src, strings.TrimSuffix(f[1], "s"))
	}
	return rate{src: src, every: time.Duration(n) * unit}, nil
}

// Next fires on multiples of the rate since the Unix epoch, so firings are stable across restarts.
func (r rate) Next(t time.Time) (time.Time, bool) {
	return t.Truncate(r.every).Add(r.every), true
}
func (r rate) String() string { return r.src }

// cron is AWS's six-field cron: minutes hours day-of-month month day-of-week year.
type cron struct {
	src                        string
	loc                        *time.Location
	min, hour, dom, month, dow []bool
	year                       map[int]bool // nil = every year
	lastDOM                    bool         // day-of-month "L"
	domAny, dowAny             bool         // "?"
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(src, body string, loc *time.Location) (Expr, error) {
	f := strings.Fields(body)
	if len(f) != 6 {
		return nil, fmt.Errorf("schedule %q: cron wants 6 fields (minutes hours day-of-month month day-of-week year), got %d", src, len(f))
	}
	c := &cron{src: src, loc: loc}
	var err error
	fail := func(field string, e error) (Expr, error) {
		return nil, fmt.Errorf("schedule %q: %s: %w", src, field, e)
	}
	if c.min, err = parseField(f[0], 0, 59, nil); err != nil {
		return fail("minutes", err)
	}
	if c.hour, err = parseField(f[1], 0, 23, nil); err != nil {
		return fail("hours", err)
	}
	c.domAny, c.dowAny = f[2] == "?", f[4] == "?"
	if c.domAny == c.dowAny {
		return fail("day-of-month and day-of-week", fmt.Errorf("exactly one of them must be ?"))
	}
	switch {
	case c.domAny:
	case f[2] == "L":
		c.lastDOM = true
	default:
		if c.dom, err = parseField(f[2], 1, 31, nil); err != nil {
			return fail("day-of-month", err)
		}
	}
	if c.month, err = parseField(f[3], 1, 12, monthNames); err != nil {
		return fail("month", err)
	}
	if !c.dowAny {
		if c.dow, err = parseField(f[4], 1, 7, dayNames); err != nil {
			return fail("day-of-week", err)
		}
	}
	if f[5] != "*" {
		ys, err := parseField(f[5], 1970, 2199, nil)
		if err != nil {
			return fail("year", err)
		}
		c.year = map[int]bool{}
		for y, ok := range ys {
			if ok {
				c.year[y] = true
			}
		}
	}
	return c, nil
}

// parseField reads a list of values, ranges and steps into a set indexed by value.
func parseField(s string, lo, hi int, names map[string]int) ([]bool, error) {
	set := make([]bool, hi+1)
	for _, part := range strings.Split(s, ",") {
		step := 1
		if base, st, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(st)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("step %q is not a positive number", st)
			}
			part, step = base, n
		}
		from, to := lo, hi
		switch {
		case part == "*":
		case strings.ContainsAny(part, "LW#"):
			return nil, fmt.Errorf("%q uses L, W or #, which only day-of-month L supports here", part)
		default:
			a, b, isRange := strings.Cut(part, "-")
			var err error
			if from, err = value(a, lo, hi, names); err != nil {
				return nil, err
			}
			to = from
			if isRange {
				if to, err = value(b, lo, hi, names); err != nil {
					return nil, err
				}
				if to < from {
					return nil, fmt.Errorf("range %q runs backwards", part)
				}
			} else if step > 1 {
				to = hi
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return set, nil
}

func value(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is outside %d-%d", v, lo, hi)
	}
	return v, nil
}

func (c *cron) String() string { return c.src }

func (c *cron) dayMatches(t time.Time) bool {
	if !c.month[int(t.Month())] || (c.year != nil && !c.year[t.Year()]) {
		return false
	}
	if c.domAny {
		return c.dow[int(t.Weekday())+1]
	}
	if c.lastDOM {
		return t.AddDate(0, 0, 1).Day() == 1
	}
	return c.dom[t.Day()]
}

// Next walks day by day, then through the day's hours and minutes, in the schedule's zone. It
// gives up after ten years without a firing.
func (c *cron) Next(after time.Time) (time.Time, bool) {
	t := after.In(c.loc)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc)
	for i := 0; i < 3660; i++ {
		if c.dayMatches(day) {
			for h := 0; h < 24; h++ {
				if !c.hour[h] {
					continue
				}
				for m := 0; m < 60; m++ {
					if !c.min[m] {
						continue
					}
					cand := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, c.loc)
					if cand.After(after) && cand.Hour() == h {
						return cand, true
					}
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.loc)
	}
	return time.Time{}, false
}
