package domain

import (
	"slices"
	"strconv"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// Fingerprint returns a canonical text of everything Build reads from in and p: the same inputs,
// in any order, give the same text. A plan ID is derived from it and the correlation ID.
func Fingerprint(in Input, p Params) string {
	var b strings.Builder
	b.Grow(64 * (len(in.Positions) + len(in.Targets) + len(in.Quotes) + len(in.Assets)))
	field := func(parts ...string) {
		for i, s := range parts {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	field("equity", in.Equity.String(), "cash", in.Cash.String())
	field("params", p.CashReserve.String(), p.MinTradeFraction.String(), p.MinTradeFloor.String(), p.MinNotional.String())

	pos := slices.Clone(in.Positions)
	slices.SortFunc(pos, func(a, b Position) int { return strings.Compare(string(a.Symbol), string(b.Symbol)) })
	for _, x := range pos {
		field("position", string(x.Symbol), x.Qty.String())
	}
	tgt := slices.Clone(in.Targets)
	slices.SortFunc(tgt, func(a, b Target) int { return strings.Compare(string(a.Symbol), string(b.Symbol)) })
	for _, x := range tgt {
		field("target", string(x.Symbol), x.Weight.String())
	}
	for _, s := range sortedKeys(in.Quotes) {
		q := in.Quotes[s]
		field("quote", string(s), q.Bid.String(), q.Ask.String(), q.Last.String())
	}
	for _, s := range sortedKeys(in.Assets) {
		a := in.Assets[s]
		field("asset", string(s), strconv.FormatBool(a.Tradable), strconv.FormatBool(a.Fractionable))
	}
	return b.String()
}

func sortedKeys[V any](m map[market.Symbol]V) []market.Symbol {
	keys := make([]market.Symbol, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
