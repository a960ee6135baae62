package eventpattern

import (
	"net/netip"
	"strconv"
	"strings"
)

// looksLikeIP applies EventBridge's shape test before any address parsing: four dot-separated
// runs of decimal digits, or hex digits and colons with at least one colon.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if isDigit(s[0]) {
		dots, run := 0, 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case isDigit(c):
				run++
			case c == '.':
				if run == 0 {
					return false
				}
				dots++
				run = 0
			default:
				return looksLikeIPv6(s)
			}
		}
		return dots == 3 && run > 0
	}
	return looksLikeIPv6(s)
}

func looksLikeIPv6(s string) bool {
	colon := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			colon = true
		case isDigit(c), c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return colon
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseIP parses an IP address that passed looksLikeIP into 16 bytes (IPv4 in the first four)
// and its family, 4 or 6. IPv4-mapped IPv6 addresses count as IPv4.
func parseIP(s string) (ip [16]byte, fam uint8, ok bool) {
	if s == "" {
		return ip, 0, false
	}
	if isDigit(s[0]) && strings.Count(s, ".") == 3 && !strings.Contains(s, ":") {
		parts := strings.Split(s, ".")
		for i, p := range parts {
			if p == "" || len(p) > 10 {
				return ip, 0, false
			}
			v, err := strconv.ParseUint(p, 10, 32)
			if err != nil || v > 255 {
				return ip, 0, false
			}
			ip[i] = byte(v)
		}
		return ip, 4, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return ip, 0, false
	}
	if a.Is4In6() {
		a4 := a.Unmap().As4()
		copy(ip[:], a4[:])
		return ip, 4, true
	}
	if a.Is4() {
		a4 := a.As4()
		copy(ip[:], a4[:])
		return ip, 4, true
	}
	return a.As16(), 6, true
}

// parseCIDR compiles a cidr value the way EventBridge does: the range runs from the address with
// every host bit clear to the address with every host bit set. It returns AWS's reason on failure.
func parseCIDR(s string) (t test, reason string) {
	parts := strings.Split(s, "/")
	// Java's String.split drops trailing empty strings.
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return t, "Malformed CIDR, one '/' required"
	}
	bits, err := strconv.ParseInt(parts[1], 10, 32) // like Java's Integer.parseInt: an optional sign, then digits
	if err != nil {
		return t, "Malformed CIDR, mask bits must be an integer"
	}
	if bits < 0 {
		return t, "Malformed CIDR, mask bits must not be negative"
	}
	if !looksLikeIP(parts[0]) {
		return t, "Nonstandard IP address: " + parts[0]
	}
	ip, fam, ok := parseIP(parts[0])
	if !ok {
		return t, "Invalid IP address: " + parts[0]
	}
	n := 4
	if fam == 4 {
		if bits > 31 {
			return t, "IPv4 mask bits must be < 32"
		}
	} else {
		n = 16
		if bits > 127 {
			return t, "IPv6 mask bits must be < 128"
		}
	}
	host := n*8 - int(bits)
	lo, hi := ip, ip
	for i := n - 1; i >= 0 && host > 0; i-- {
		if host >= 8 {
			lo[i], hi[i] = 0, 0xff
		} else {
			m := byte(1<<uint(host) - 1)
			lo[i] &^= m
			hi[i] |= m
		}
		host -= 8
	}
	return test{op: opCIDR, ipFam: fam, ipLo: lo, ipHi: hi}, ""
}
