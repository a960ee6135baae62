package eventpattern

import (
	"fmt"
	"strings"
)

// glob is a compiled wildcard: literal segments separated by '*'.
type glob struct {
	segs []string // len(segs) == number of '*' + 1
}

// maxWildcardStates is the largest number of its wildcards a pattern may keep live at once for
// some input (a '*' is live while a partial match sits in it). AWS rejects patterns above its
// limit as "Rule is too complex" but does not publish the measure; this bound accepts every
// wildcard that AWS and event-ruler accept in their test suites and rejects the one AWS rejects
// ("*:*:*:*:*:event-bus/*", which keeps six live on an input such as ":::::").
const maxWildcardStates = 5

// parseWildcard compiles a wildcard value: '*' matches any run of characters, `\*` is a literal
// star and `\\` a literal backslash.
func parseWildcard(v string) (glob, string) {
	var segs []string
	var cur strings.Builder
	prevStar := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '*':
			if prevStar {
				return glob{}, fmt.Sprintf("Consecutive wildcard characters at pos %d", i)
			}
			segs = append(segs, cur.String())
			cur.Reset()
			prevStar = true
			continue
		case '\\':
			if i+1 >= len(v) || (v[i+1] != '*' && v[i+1] != '\\') {
				return glob{}, fmt.Sprintf("Invalid escape character at pos %d", i)
			}
			i++
			cur.WriteByte(v[i])
		default:
			cur.WriteByte(c)
		}
		prevStar = false
	}
	segs = append(segs, cur.String())
	g := glob{segs: segs}
	if g.complexity() > maxWildcardStates {
		return glob{}, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
	}
	return g, ""
}

// match reports whether s matches the wildcard.
func (g *glob) match(s string) bool {
	segs := g.segs
	if len(segs) == 1 {
		return s == segs[0]
	}
	first, last := segs[0], segs[len(segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range segs[1 : len(segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return true
}

// complexity returns the largest number of wildcard (star) states of the NFA that can be active
// at once while matching the wildcard against some input, found by exploring the subset automaton over the bytes that
// occur in the pattern plus one byte that does not. Exploration stops early once the bound is
// exceeded.
func (g *glob) complexity() int {
	if len(g.segs)-1 <= maxWildcardStates {
		return len(g.segs) - 1 // no more stars than the bound can be live
	}
	// NFA positions: one per literal byte, with a self-loop at each star.
	var lits []byte
	var star []bool // star[p]: a '*' lets position p absorb any byte; position len(lits) is the end
	pendingStar := false
	for i, seg := range g.segs {
		if i > 0 {
			pendingStar = true
		}
		for j := 0; j < len(seg); j++ {
			lits = append(lits, seg[j])
			star = append(star, pendingStar)
			pendingStar = false
		}
	}
	star = append(star, pendingStar) // end position
	n := len(lits)
	if n > 63 {
		n = 63 // patterns this long are measured on their first 63 literal bytes
		lits = lits[:n]
		star = star[:n+1]
	}
	alphabet := map[byte]bool{}
	for _, c := range lits {
		alphabet[c] = true
	}
	var other byte
	for c := 1; c < 256; c++ {
		if !alphabet[byte(c)] {
			other = byte(c)
			break
		}
	}
	letters := make([]byte, 0, len(alphabet)+1)
	for c := range alphabet {
		letters = append(letters, c)
	}
	letters = append(letters, other)

	// A state set is a bitmask of positions 0..n (n = end).
	var starMask uint64
	for p := 0; p <= n; p++ {
		if star[p] {
			starMask |= 1 << uint(p)
		}
	}
	start := uint64(1)
	seen := map[uint64]bool{start: true}
	queue := []uint64{start}
	maxActive := popcount(start & starMask)
	for len(queue) > 0 && len(seen) < 4096 { // bounded work; beyond it the pattern is accepted
		set := queue[0]
		queue = queue[1:]
		for _, c := range letters {
			var next uint64
			for p := 0; p <= n; p++ {
				if set&(1<<uint(p)) == 0 {
					continue
				}
				if star[p] {
					next |= 1 << uint(p) // the star before p absorbs c
				}
				if p < n && lits[p] == c {
					next |= 1 << uint(p+1)
				}
			}
			if next == 0 || seen[next] {
				continue
			}
			seen[next] = true
			if k := popcount(next & starMask); k > maxActive {
				maxActive = k
				if maxActive > maxWildcardStates {
					return maxActive
				}
			}
			queue = append(queue, next)
		}
	}
	return maxActive
}

func popcount(x uint64) int {
	n := 0
	for x != 0 {
		x &= x - 1
		n++
	}
	return n
}
