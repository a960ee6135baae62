package eventpattern

import (
	"math"
	"math/bits"
)

var (
	negInf = math.Inf(-1)
	posInf = math.Inf(1)
)

// Match reports whether the raw JSON event matches the pattern. It returns an error only when
// the event is not a JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	var ok bool
	err := withEvent(event, p.filter, func(ev *Event) { ok = p.MatchEvent(ev) })
	return ok, err
}

// MatchEvent reports whether a parsed event matches the pattern. It does not allocate.
func (p *Pattern) MatchEvent(ev *Event) bool {
	for i := range p.rules {
		if p.rules[i].match(ev) {
			return true
		}
	}
	return false
}

// maxChosen is how many array-bound choices matchFrom tracks on the stack.
const maxChosen = 32

// match reports whether every cond of the sub-rule holds with array-consistent values.
func (r *subRule) match(ev *Event) bool {
	var chosen [maxChosen]int32 // indices into ev.fields of values chosen so far that sit in arrays
	return r.matchFrom(ev, 0, chosen[:0], 0)
}

// matchFrom tries to satisfy conds[i:] given the values chosen for conds[:i]. absents marks the
// conds (below 64) satisfied by absence so far; they are checked again once every value is
// chosen, because absence is judged within the array elements the chosen values sit in.
func (r *subRule) matchFrom(ev *Event, i int, chosen []int32, absents uint64) bool {
	if i == len(r.conds) {
		for absents != 0 {
			k := bits.TrailingZeros64(absents)
			absents &= absents - 1
			if r.present(ev, k, chosen) {
				return false
			}
		}
		return true
	}
	c := &r.conds[i]
	ps := ev.lookupRange(c.path)
	for fi := ps.start; fi < ps.end; fi++ {
		f := &ev.fields[fi]
		if !c.matchValue(f) || !consistent(ev, f, chosen) {
			continue
		}
		next := chosen
		if f.mEnd > f.mStart && len(chosen) < cap(chosen) {
			next = append(chosen, fi)
		}
		if r.matchFrom(ev, i+1, next, absents) {
			return true
		}
		// If f constrains none of the values still to be chosen or re-checked, the failure
		// did not depend on f, and any other choice only adds constraints: give up on this
		// branch now instead of trying every combination.
		if !r.constrains(ev, i, f, absents) {
			return false
		}
	}
	if !c.absent {
		return false
	}
	// Met by absence: values chosen later may narrow the array elements in play, so absence
	// is judged once every value is chosen (conds past 64 are judged now, more strictly).
	if i >= 64 {
		if r.present(ev, i, chosen) {
			return false
		}
	} else {
		absents |= 1 << uint(i)
	}
	return r.matchFrom(ev, i+1, chosen, absents)
}

// constrains reports whether f shares an array with any value at the paths of the conds after i
// or of the conds satisfied by absence so far.
func (r *subRule) constrains(ev *Event, i int, f *field, absents uint64) bool {
	if f.mEnd == f.mStart {
		return false
	}
	fm := ev.members[f.mStart:f.mEnd]
	for j := range r.conds {
		if j <= i && (j >= 64 || absents&(1<<uint(j)) == 0) {
			continue
		}
		ps := ev.lookupRange(r.conds[j].path)
		for gi := ps.start; gi < ps.end; gi++ {
			g := &ev.fields[gi]
			gm := ev.members[g.mStart:g.mEnd]
			if len(gm) > 0 && gm[0].arr == fm[0].arr {
				return true // arrays nest, so sharing any array means sharing the outermost
			}
		}
	}
	return false
}

// present reports whether the event has a value at conds[k].path in the array elements that the
// chosen values sit in.
func (r *subRule) present(ev *Event, k int, chosen []int32) bool {
	ps := ev.lookupRange(r.conds[k].path)
	for fi := ps.start; fi < ps.end; fi++ {
		if consistent(ev, &ev.fields[fi], chosen) {
			return true
		}
	}
	return false
}

func (c *cond) matchValue(f *field) bool {
	for j := range c.tests {
		if c.tests[j].match(f) {
			return true
		}
	}
	return false
}

// consistent reports whether f sits in the same element as every chosen value for each array
// they share.
func consistent(ev *Event, f *field, chosen []int32) bool {
	if f.mEnd == f.mStart {
		return true
	}
	fm := ev.members[f.mStart:f.mEnd]
	for _, ci := range chosen {
		g := &ev.fields[ci]
		gm := ev.members[g.mStart:g.mEnd]
		// Memberships run from outer to inner arrays; shared arrays form a common prefix of ids.
		for k := 0; k < len(fm) && k < len(gm); k++ {
			if fm[k].arr != gm[k].arr {
				break
			}
			if fm[k].idx != gm[k].idx {
				return false
			}
		}
	}
	return true
}

// lookupRange returns the index range of the fields at path.
func (ev *Event) lookupRange(path string) pathRange {
	ps := ev.paths
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ps[m].path < path {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ps) && ps[lo].path == path {
		return ps[lo]
	}
	return pathRange{}
}
