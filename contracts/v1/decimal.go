package v1

import (
	"encoding/json"
	"fmt"

	"github.com/shopspring/decimal"
)

// Decimal is a decimal number carried in JSON as a string, such as "0.25" or "101.37". Money,
// prices, quantities and weights are all Decimals; none is ever a float64.
type Decimal struct{ decimal.Decimal }

// D wraps d as a Decimal.
func D(d decimal.Decimal) Decimal { return Decimal{d} }

// MustDecimal parses s and panics if it is not a decimal; for tests and constants only.
func MustDecimal(s string) Decimal { return Decimal{decimal.RequireFromString(s)} }

// ParseDecimal parses a decimal string.
func ParseDecimal(s string) (Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil || s == "" || !decimalPattern.MatchString(s) {
		return Decimal{}, fmt.Errorf("%q is not a decimal string such as \"12.5\"", s)
	}
	return Decimal{d}, nil
}

// MarshalJSON writes the decimal as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.Decimal.String()) }

// UnmarshalJSON reads a decimal string; a JSON number is refused, so no float ever enters.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a decimal string, got %s", b)
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
