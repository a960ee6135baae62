package eventpattern

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// op is the kind of one value test inside a field's list of alternatives.
type op uint8

const (
	opExactString op = iota // string equal to s (or, when ipFam != 0, the same IP address)
	opExactNumber           // number whose text is s or whose value is num (when numOK)
	opTrue
	opFalse
	opNull
	opPrefix
	opSuffix
	opPrefixFold
	opSuffixFold
	opEqualsFold
	opWildcard
	opAnythingBut       // not one of strs / nums
	opAnythingButFold   // not a string equal (ignoring case) to one of strs
	opAnythingButPrefix // not a string starting with one of strs
	opAnythingButSuffix // not a string ending with one of strs
	opAnythingButWildcard
	opNumeric
	opCIDR
	opExists // exists: true
	opAbsent // exists: false (handled by the matcher, never by test)
)

// test is one compiled value test.
type test struct {
	op    op
	s     string
	num   float64
	numOK bool
	strs  []string
	nums  []float64
	globs []glob
	glob  glob
	// numeric range
	lo, hi         float64
	loOpen, hiOpen bool
	// ip range (CIDR or exact IP)
	ipFam  uint8
	ipLo   [16]byte
	ipHi   [16]byte
	isNumT bool // anything-but list is numeric
}

// match reports whether the event value f passes the test.
func (t *test) match(f *field) bool {
	switch t.op {
	case opExactString:
		if f.kind != jString {
			return false
		}
		if f.str == t.s {
			return true
		}
		return t.ipFam != 0 && f.ipFam == t.ipFam && f.ip == t.ipLo
	case opExactNumber:
		if f.kind != jNumber {
			return false
		}
		return f.str == t.s || (t.numOK && f.numOK && f.num == t.num)
	case opTrue:
		return f.kind == jTrue
	case opFalse:
		return f.kind == jFalse
	case opNull:
		return f.kind == jNull
	case opPrefix:
		return f.kind == jString && strings.HasPrefix(f.str, t.s)
	case opSuffix:
		return f.kind == jString && strings.HasSuffix(f.str, t.s)
	case opPrefixFold:
		return f.kind == jString && hasPrefixFold(f.str, t.s)
	case opSuffixFold:
		return f.kind == jString && hasSuffixFold(f.str, t.s)
	case opEqualsFold:
		return f.kind == jString && equalFold(f.str, t.s)
	case opWildcard:
		return f.kind == jString && t.glob.match(f.str)
	case opAnythingBut:
		if t.isNumT {
			if f.kind != jNumber {
				return true
			}
			for _, n := range t.nums {
				if f.numOK && f.num == n {
					return false
				}
			}
			for _, s := range t.strs {
				if f.str == s {
					return false
				}
			}
			return true
		}
		if f.kind != jString {
			return true
		}
		for _, s := range t.strs {
			if f.str == s {
				return false
			}
		}
		return true
	case opAnythingButFold:
		if f.kind != jString {
			return true
		}
		for _, s := range t.strs {
			if equalFold(f.str, s) {
				return false
			}
		}
		return true
	case opAnythingButPrefix:
		if f.kind != jString {
			return true
		}
		for _, s := range t.strs {
			if strings.HasPrefix(f.str, s) {
				return false
			}
		}
		return true
	case opAnythingButSuffix:
		if f.kind != jString {
			return true
		}
		for _, s := range t.strs {
			if strings.HasSuffix(f.str, s) {
				return false
			}
		}
		return true
	case opAnythingButWildcard:
		if f.kind != jString {
			return true
		}
		for i := range t.globs {
			if t.globs[i].match(f.str) {
				return false
			}
		}
		return true
	case opNumeric:
		if f.kind != jNumber || !f.numOK {
			return false
		}
		v := f.num
		if t.loOpen {
			if !(v > t.lo) {
				return false
			}
		} else if !(v >= t.lo) {
			return false
		}
		if t.hiOpen {
			return v < t.hi
		}
		return v <= t.hi
	case opCIDR:
		if f.kind != jString || f.ipFam != t.ipFam {
			return false
		}
		n := 4
		if t.ipFam == 6 {
			n = 16
		}
		a := f.ip[:n]
		return string(a) >= string(t.ipLo[:n]) && string(a) <= string(t.ipHi[:n])
	case opExists:
		return true
	}
	return false
}

// parseNumber converts JSON number text to a float64 that can be compared. It fails for values
// that overflow or underflow a float64.
func parseNumber(raw string) (float64, bool) {
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	if v == 0 && !isZeroText(raw) {
		return 0, false // underflow
	}
	return v, true
}

// isZeroText reports whether the mantissa of a JSON number is all zeros.
func isZeroText(raw string) bool {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == 'e' || c == 'E' {
			return true
		}
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}

// equalFold compares two strings ignoring case, rune by rune, using Unicode simple folding.
func equalFold(a, b string) bool {
	if len(a) == len(b) && a == b {
		return true
	}
	return strings.EqualFold(a, b)
}

func runeEqualFold(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s begins with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !runeEqualFold(pr, sr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

// hasSuffixFold reports whether s ends with suffix, ignoring case.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !runeEqualFold(pr, sr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}
