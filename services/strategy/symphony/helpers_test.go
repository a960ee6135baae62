package symphony_test

import (
	"strconv"

	"github.com/shopspring/decimal"
)

func itoa(i int) string { return strconv.Itoa(i) }

func strconvF(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
