package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// DefaultPrefix starts every client order ID this system places. Orders without it belong to
// someone else and are never cancelled.
const DefaultPrefix = "alch-"

// MaxClientOrderIDLen is Alpaca's limit on a client order ID.
const MaxClientOrderIDLen = 128

// tagLen is the number of hex digits of the plan tag: 64 bits of SHA-256 of the correlation ID
// and the plan ID.
const tagLen = 16

// ValidatePrefix checks a client order ID prefix: 1 to 16 characters of a-z, 0-9 and '-'.
func ValidatePrefix(p string) error {
	if p == "" || len(p) > 16 {
		return fmt.Errorf("client order ID prefix %q: want 1 to 16 characters", p)
	}
	for i, r := range p {
		if !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9') && r != '-' {
			return fmt.Errorf("client order ID prefix %q: character %q at %d is not one of a-z, 0-9, '-'", p, r, i)
		}
	}
	return nil
}

// PlanTag returns the part of a client order ID that names one plan of one workflow run:
// the prefix and 16 hex digits derived from the correlation ID and the plan ID. Every order of
// the plan, whatever its leg, starts with it.
func PlanTag(prefix, correlationID, planID string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:%s|%d:%s|", len(correlationID), correlationID, len(planID), planID)
	return prefix + hex.EncodeToString(h.Sum(nil))[:tagLen] + "-"
}

// OrderKey is what a client order ID is derived from.
type OrderKey struct {
	Symbol market.Symbol
	Side   Side
	// Leg counts the orders placed for one plan item: 0 first, then one more per re-peg or
	// switch to market.
	Leg int
}

// ClientOrderID returns the deterministic client order ID of the order key within the plan
// named by tag (see PlanTag): tag + SYMBOL + "-" + b|s + "-" + leg, such as
// "alch-3f2a9c0d11e4b5a6-SPY-b-0". It is at most 5+16+1+12+1+1+1+3 characters, well under 128.
func ClientOrderID(tag string, k OrderKey) string {
	var b strings.Builder
	b.Grow(len(tag) + len(k.Symbol) + 8)
	b.WriteString(tag)
	b.WriteString(string(k.Symbol))
	b.WriteByte('-')
	b.WriteByte(k.Side.letter())
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(k.Leg))
	return b.String()
}

// IsOwn reports whether a client order ID was placed by this system.
func IsOwn(prefix, clientOrderID string) bool {
	return prefix != "" && strings.HasPrefix(clientOrderID, prefix)
}

// ErrNotOurs means a client order ID was not made by ClientOrderID with the given tag.
var ErrNotOurs = errors.New("not a client order ID of this plan")

// ParseClientOrderID reads the order key back from a client order ID of the plan named by tag.
func ParseClientOrderID(tag, id string) (OrderKey, error) {
	if tag == "" || !strings.HasPrefix(id, tag) {
		return OrderKey{}, fmt.Errorf("client order ID %q: %w", id, ErrNotOurs)
	}
	rest := id[len(tag):]
	i := strings.LastIndexByte(rest, '-')
	if i < 0 {
		return OrderKey{}, fmt.Errorf("client order ID %q: no leg: %w", id, ErrNotOurs)
	}
	leg, err := strconv.Atoi(rest[i+1:])
	if err != nil || leg < 0 || leg > 999 || strconv.Itoa(leg) != rest[i+1:] {
		return OrderKey{}, fmt.Errorf("client order ID %q: leg %q is not a number from 0 to 999: %w", id, rest[i+1:], ErrNotOurs)
	}
	rest = rest[:i]
	j := strings.LastIndexByte(rest, '-')
	if j < 0 || j+2 != len(rest) {
		return OrderKey{}, fmt.Errorf("client order ID %q: no side: %w", id, ErrNotOurs)
	}
	var side Side
	switch rest[j+1] {
	case 'b':
		side = Buy
	case 's':
		side = Sell
	default:
		return OrderKey{}, fmt.Errorf("client order ID %q: side %q is not b or s: %w", id, rest[j+1:], ErrNotOurs)
	}
	sym, err := market.ParseSymbol(rest[:j])
	if err != nil || string(sym) != rest[:j] {
		return OrderKey{}, fmt.Errorf("client order ID %q: bad symbol %q: %w", id, rest[:j], ErrNotOurs)
	}
	return OrderKey{Symbol: sym, Side: side, Leg: leg}, nil
}
