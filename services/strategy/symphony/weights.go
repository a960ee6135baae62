package symphony

import (
	"math/bits"

	"github.com/shopspring/decimal"
)

// units is a weight in integer minor units: unit (10^15) is the whole. Inside the evaluator every
// weight is exact decimal fixed point, never a float; a product truncates below 10^-15. The
// output is rounded to Places decimals so that it sums to exactly 1.
type units int64

const unit units = 1_000_000_000_000_000

// mulDiv returns a*b/c, truncated. a*b/c must fit in 63 bits, which holds for weights.
func mulDiv(a, b, c units) units {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return units(q)
}

func mul(a, b units) units { return mulDiv(a, b, unit) }

func toUnits(d decimal.Decimal) units {
	return units(d.Shift(15).Round(0).IntPart())
}

// normalise scales ws to sum to unit (up to truncation).
func normalise(ws []units) {
	var sum units
	for _, w := range ws {
		sum += w
	}
	if sum == 0 {
		return
	}
	for i, w := range ws {
		ws[i] = mulDiv(w, unit, sum)
	}
}

// normaliseDecimal scales ws to sum to 1, to 18 places.
func normaliseDecimal(ws []decimal.Decimal) {
	sum := decimal.Zero
	for _, w := range ws {
		sum = sum.Add(w)
	}
	if sum.IsZero() {
		return
	}
	for i, w := range ws {
		ws[i] = w.DivRound(sum, 18)
	}
}
