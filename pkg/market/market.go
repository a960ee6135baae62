// Package market gives the value types that money moves in: Symbol, Qty, Money and Weight.
//
// Every amount is a decimal (github.com/shopspring/decimal), never a float64. Each type has a
// Parse function that validates its input and a String method that prints it canonically, so the
// types can cross JSON, SQL and HTTP boundaries without losing precision.
package market

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Symbol is an exchange ticker such as "SPY" or "BRK.B": 1 to 12 characters of A-Z, 0-9, '.', '/' or '-'.
type Symbol string

// ParseSymbol validates s as a ticker. Lower case is upper-cased.
func ParseSymbol(s string) (Symbol, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if u == "" {
		return "", fmt.Errorf("symbol: empty")
	}
	if len(u) > 12 {
		return "", fmt.Errorf("symbol %q: longer than 12 characters", s)
	}
	for i, r := range u {
		ok := (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '.' || r == '/' || r == '-'
		if !ok {
			return "", fmt.Errorf("symbol %q: character %q at %d is not allowed", s, r, i)
		}
	}
	return Symbol(u), nil
}

// String returns the ticker.
func (s Symbol) String() string { return string(s) }

// Qty is a number of shares. It may be fractional; it is never NaN.
type Qty struct{ d decimal.Decimal }

// Money is an amount in US dollars: a price, a value, cash or a notional.
type Money struct{ d decimal.Decimal }

// Weight is a fraction of a portfolio: 0.25 means 25%.
type Weight struct{ d decimal.Decimal }

// NewQty returns d shares.
func NewQty(d decimal.Decimal) Qty { return Qty{d} }

// NewMoney returns d dollars.
func NewMoney(d decimal.Decimal) Money { return Money{d} }

// NewWeight returns the fraction d.
func NewWeight(d decimal.Decimal) Weight { return Weight{d} }

// ParseQty parses a decimal string such as "12.5" as a quantity. Negative quantities are refused.
func ParseQty(s string) (Qty, error) {
	d, err := parseDecimal("quantity", s)
	if err != nil {
		return Qty{}, err
	}
	if d.IsNegative() {
		return Qty{}, fmt.Errorf("quantity %q: negative", s)
	}
	return Qty{d}, nil
}

// ParseMoney parses a decimal string such as "101.25" as dollars. Negative amounts are allowed
// (cash can be negative on a margin account); callers that need a positive amount check it.
func ParseMoney(s string) (Money, error) {
	d, err := parseDecimal("amount", s)
	if err != nil {
		return Money{}, err
	}
	return Money{d}, nil
}

// ParseWeight parses a decimal fraction between 0 and 1 inclusive.
func ParseWeight(s string) (Weight, error) {
	d, err := parseDecimal("weight", s)
	if err != nil {
		return Weight{}, err
	}
	if d.IsNegative() || d.GreaterThan(decimal.NewFromInt(1)) {
		return Weight{}, fmt.Errorf("weight %q: outside [0, 1]", s)
	}
	return Weight{d}, nil
}

func parseDecimal(what, s string) (decimal.Decimal, error) {
	if strings.TrimSpace(s) == "" {
		return decimal.Decimal{}, fmt.Errorf("%s: empty", what)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s %q: not a decimal number", what, s)
	}
	return d, nil
}

// Decimal returns the underlying decimal.
func (q Qty) Decimal() decimal.Decimal { return q.d }

// Decimal returns the underlying decimal.
func (m Money) Decimal() decimal.Decimal { return m.d }

// Decimal returns the underlying decimal.
func (w Weight) Decimal() decimal.Decimal { return w.d }

// String prints the quantity without trailing zeros.
func (q Qty) String() string { return q.d.String() }

// String prints the amount without trailing zeros.
func (m Money) String() string { return m.d.String() }

// String prints the fraction without trailing zeros.
func (w Weight) String() string { return w.d.String() }

// IsZero reports whether q is zero.
func (q Qty) IsZero() bool { return q.d.IsZero() }

// IsZero reports whether m is zero.
func (m Money) IsZero() bool { return m.d.IsZero() }

// IsZero reports whether w is zero.
func (w Weight) IsZero() bool { return w.d.IsZero() }

// Times returns the value of q shares at price p.
func (q Qty) Times(p Money) Money { return Money{q.d.Mul(p.d)} }

// MarshalJSON writes q as a JSON string, so no precision is lost.
func (q Qty) MarshalJSON() ([]byte, error) { return json.Marshal(q.d.String()) }

// MarshalJSON writes m as a JSON string, so no precision is lost.
func (m Money) MarshalJSON() ([]byte, error) { return json.Marshal(m.d.String()) }

// MarshalJSON writes w as a JSON string, so no precision is lost.
func (w Weight) MarshalJSON() ([]byte, error) { return json.Marshal(w.d.String()) }

// UnmarshalJSON reads a decimal string and refuses negative quantities.
func (q *Qty) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	if err != nil {
		return fmt.Errorf("quantity: %w", err)
	}
	v, err := ParseQty(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// UnmarshalJSON reads a decimal string.
func (m *Money) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// UnmarshalJSON reads a decimal string between 0 and 1.
func (w *Weight) UnmarshalJSON(b []byte) error {
	s, err := unquote(b)
	if err != nil {
		return fmt.Errorf("weight: %w", err)
	}
	v, err := ParseWeight(s)
	if err != nil {
		return err
	}
	*w = v
	return nil
}

func unquote(b []byte) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", fmt.Errorf("want a decimal string such as \"1.5\", got %s", truncate(b))
	}
	return s, nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}
