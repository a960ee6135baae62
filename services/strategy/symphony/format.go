package symphony

import (
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func quote(s string) string { return strconv.Quote(s) }

// fmtValue prints an indicator value in a trace: two decimals.
func fmtValue(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
