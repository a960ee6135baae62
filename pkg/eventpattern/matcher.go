package eventpattern

import (
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Matcher holds many named patterns and reports which of them match an event, in one pass over
// the event's fields: every value test of every pattern is indexed by field path (and exact
// values by value), so the work per event grows with the size of the event and the number of
// tests that can fire, not with the number of patterns. Add and Remove are safe to call while
// other goroutines match; a match sees the patterns as they were when it started.
type Matcher struct {
	mu       sync.Mutex
	patterns map[string]*Pattern
	dirty    atomic.Bool
	idx      atomic.Pointer[index]
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	m := &Matcher{patterns: map[string]*Pattern{}}
	m.idx.Store(buildIndex(nil))
	return m
}

// Add compiles pattern and stores it under name, replacing any pattern of that name.
func (m *Matcher) Add(name string, pattern []byte) error {
	p, err := Compile(pattern)
	if err != nil {
		return err
	}
	m.AddPattern(name, p)
	return nil
}

// AddPattern stores a compiled pattern under name, replacing any pattern of that name.
func (m *Matcher) AddPattern(name string, p *Pattern) {
	m.mu.Lock()
	m.patterns[name] = p
	m.dirty.Store(true)
	m.mu.Unlock()
}

// Remove deletes the pattern stored under name, if any.
func (m *Matcher) Remove(name string) {
	m.mu.Lock()
	if _, ok := m.patterns[name]; ok {
		delete(m.patterns, name)
		m.dirty.Store(true)
	}
	m.mu.Unlock()
}

// Len returns the number of patterns held.
func (m *Matcher) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.patterns)
}

// Match parses event and returns the names of the patterns it matches, sorted.
func (m *Matcher) Match(event []byte) ([]string, error) {
	ix := m.current()
	var names []string
	err := withEvent(event, ix.filter, func(ev *Event) { names = ix.appendMatches(nil, ev) })
	return names, err
}

// MatchEvent returns the names of the patterns a parsed event matches, sorted. It returns nil
// when none match.
func (m *Matcher) MatchEvent(ev *Event) []string {
	return m.AppendMatches(nil, ev)
}

// AppendMatches appends the sorted names of the patterns ev matches to dst and returns the
// extended slice. With a dst of enough capacity it does not allocate.
func (m *Matcher) AppendMatches(dst []string, ev *Event) []string {
	return m.current().appendMatches(dst, ev)
}

// current returns an index that reflects every Add and Remove that returned before the call.
func (m *Matcher) current() *index {
	if m.dirty.Load() {
		m.mu.Lock()
		if m.dirty.Load() {
			m.idx.Store(buildIndex(m.patterns))
			m.dirty.Store(false)
		}
		m.mu.Unlock()
	}
	return m.idx.Load()
}

// condRef names one cond of one sub-rule in an index.
type condRef struct {
	rule int32 // index into index.rules
	cond int32 // global cond id, for de-duplicating hits
}

// testRef is a value test that is not indexed by value; it is run against every value at its path.
type testRef struct {
	t   *test
	ref condRef
}

// cand is an indexed test: a hit on the key is enough when t is nil; otherwise t must pass too.
type cand struct {
	ref condRef
	t   *test
}

// numRange is a numeric test laid out compactly for a linear scan.
type numRange struct {
	lo, hi         float64
	loOpen, hiOpen bool
	ref            condRef
}

// pathIndex holds the tests of every positive cond on one field path.
type pathIndex struct {
	path     string
	strs     map[string][]condRef  // exact strings (without IP equivalence)
	numText  map[string][]condRef  // exact numbers, by text
	nums     map[float64][]condRef // exact numbers, by value
	lits     [3][]condRef          // true, false, null
	prefixes map[string][]cand     // prefix tests, and wildcards by their leading literal
	prefLens []int                 // distinct key lengths of prefixes, ascending
	suffixes map[string][]cand     // suffix tests, and wildcards by their trailing literal
	sufLens  []int
	exists   []condRef
	ranges   []numRange
	// anything-but lists: every ref matches a present value except those the value is excluded by.
	abRefs    []condRef
	abBase    int32              // offset of this path's lists in scratch.abMark
	abStrs    map[string][]int32 // string value -> indices into abRefs it is excluded by
	abNums    map[float64][]int32
	abNumText map[string][]int32
	others    []testRef
}

// ruleRef is one sub-rule in an index.
type ruleRef struct {
	pat    int32 // index into index.names
	need   int32 // number of positive-only conds
	sr     *subRule
	simple bool // no cond can be met by absence
}

// index is an immutable snapshot of a Matcher's patterns, indexed for matching.
type index struct {
	names  []string // sorted; a pattern's id is its position
	rules  []ruleRef
	paths  []*pathIndex // sorted by path
	byPath map[string]*pathIndex
	always []int32 // rules with no positive-only cond: checked against every event
	nconds int
	filter pathFilter // every path any pattern tests
	spare  atomic.Pointer[scratch]
	pool   sync.Pool
}

// scratch is per-match working memory, reused through the index's pool.
type scratch struct {
	gen      uint32
	condGen  []uint32
	ruleGen  []uint32
	ruleHits []int32
	ruleArr  []bool
	patBits  []uint64 // matched patterns; cleared as the names are read out
	abMark   []uint32 // anything-but lists excluded by the current value, stamped with abStamp
	abStamp  uint32
	cands    []int32
}

func buildIndex(patterns map[string]*Pattern) *index {
	ix := &index{byPath: map[string]*pathIndex{}, filter: pathFilter{}}
	for name := range patterns {
		ix.names = append(ix.names, name)
	}
	slices.Sort(ix.names)
	for pi, name := range ix.names {
		p := patterns[name]
		for ri := range p.rules {
			sr := &p.rules[ri]
			rid := int32(len(ix.rules))
			rr := ruleRef{pat: int32(pi), sr: sr, simple: true}
			for ci := range sr.conds {
				c := &sr.conds[ci]
				ix.filter.add(c.path)
				if c.absent {
					rr.simple = false
					continue
				}
				rr.need++
				ref := condRef{rule: rid, cond: int32(ix.nconds)}
				ix.nconds++
				ix.addCond(c, ref)
			}
			if rr.need == 0 {
				ix.always = append(ix.always, rid)
			}
			ix.rules = append(ix.rules, rr)
		}
	}
	nab := int32(0)
	for _, pi := range ix.byPath {
		pi.abBase = nab
		nab += int32(len(pi.abRefs))
		ix.paths = append(ix.paths, pi)
		slices.Sort(pi.prefLens)
		slices.Sort(pi.sufLens)
		slices.SortStableFunc(pi.ranges, func(a, b numRange) int { return cmpFloat(a.lo, b.lo) })
	}
	slices.SortFunc(ix.paths, func(a, b *pathIndex) int { return strings.Compare(a.path, b.path) })
	nr, nc, np := len(ix.rules), ix.nconds, len(ix.names)
	ix.pool.New = func() any {
		return &scratch{
			condGen:  make([]uint32, nc),
			ruleGen:  make([]uint32, nr),
			ruleHits: make([]int32, nr),
			ruleArr:  make([]bool, nr),
			patBits:  make([]uint64, (np+63)/64),
			abMark:   make([]uint32, nab),
		}
	}
	return ix
}

func (ix *index) addCond(c *cond, ref condRef) {
	pi := ix.byPath[c.path]
	if pi == nil {
		pi = &pathIndex{path: c.path}
		ix.byPath[c.path] = pi
	}
	for ti := range c.tests {
		t := &c.tests[ti]
		switch {
		case t.op == opExactString && t.ipFam == 0:
			if pi.strs == nil {
				pi.strs = map[string][]condRef{}
			}
			pi.strs[t.s] = append(pi.strs[t.s], ref)
		case t.op == opExactNumber:
			if pi.numText == nil {
				pi.numText = map[string][]condRef{}
				pi.nums = map[float64][]condRef{}
			}
			pi.numText[t.s] = append(pi.numText[t.s], ref)
			if t.numOK {
				pi.nums[t.num] = append(pi.nums[t.num], ref)
			}
		case t.op == opTrue:
			pi.lits[0] = append(pi.lits[0], ref)
		case t.op == opFalse:
			pi.lits[1] = append(pi.lits[1], ref)
		case t.op == opNull:
			pi.lits[2] = append(pi.lits[2], ref)
		case t.op == opPrefix:
			pi.addPrefix(t.s, cand{ref: ref})
		case t.op == opSuffix:
			pi.addSuffix(t.s, cand{ref: ref})
		case t.op == opWildcard && len(t.glob.segs) > 1 && t.glob.segs[0] != "":
			pi.addPrefix(t.glob.segs[0], cand{ref: ref, t: t})
		case t.op == opWildcard && len(t.glob.segs) > 1 && t.glob.segs[len(t.glob.segs)-1] != "":
			pi.addSuffix(t.glob.segs[len(t.glob.segs)-1], cand{ref: ref, t: t})
		case t.op == opExists:
			pi.exists = append(pi.exists, ref)
		case t.op == opNumeric:
			pi.ranges = append(pi.ranges, numRange{lo: t.lo, hi: t.hi, loOpen: t.loOpen, hiOpen: t.hiOpen, ref: ref})
		case t.op == opAnythingBut:
			k := int32(len(pi.abRefs))
			pi.abRefs = append(pi.abRefs, ref)
			if t.isNumT {
				if pi.abNums == nil {
					pi.abNums = map[float64][]int32{}
					pi.abNumText = map[string][]int32{}
				}
				for _, n := range t.nums {
					pi.abNums[n] = append(pi.abNums[n], k)
				}
				for _, v := range t.strs {
					pi.abNumText[v] = append(pi.abNumText[v], k)
				}
				continue
			}
			if pi.abStrs == nil {
				pi.abStrs = map[string][]int32{}
			}
			for _, v := range t.strs {
				pi.abStrs[v] = append(pi.abStrs[v], k)
			}
		default:
			pi.others = append(pi.others, testRef{t: t, ref: ref})
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (pi *pathIndex) addPrefix(key string, c cand) {
	if pi.prefixes == nil {
		pi.prefixes = map[string][]cand{}
	}
	if !slices.Contains(pi.prefLens, len(key)) {
		pi.prefLens = append(pi.prefLens, len(key))
	}
	pi.prefixes[key] = append(pi.prefixes[key], c)
}

func (pi *pathIndex) addSuffix(key string, c cand) {
	if pi.suffixes == nil {
		pi.suffixes = map[string][]cand{}
	}
	if !slices.Contains(pi.sufLens, len(key)) {
		pi.sufLens = append(pi.sufLens, len(key))
	}
	pi.suffixes[key] = append(pi.suffixes[key], c)
}

func (ix *index) appendMatches(dst []string, ev *Event) []string {
	if len(ix.rules) == 0 {
		return dst
	}
	sc := ix.spare.Swap(nil) // one scratch kept outside the pool survives garbage collections
	if sc == nil {
		sc = ix.pool.Get().(*scratch)
	}
	sc.gen++
	if sc.gen == 0 { // wrapped: clear the stamps
		clear(sc.condGen)
		clear(sc.ruleGen)
		sc.gen = 1
	}
	sc.cands = sc.cands[:0]

	// Visit each (event path, index path) pair once, from whichever side is smaller.
	if len(ix.paths) <= len(ev.paths) {
		for _, pi := range ix.paths {
			r := ev.lookupRange(pi.path)
			for fi := r.start; fi < r.end; fi++ {
				ix.hitField(sc, pi, &ev.fields[fi])
			}
		}
	} else {
		for _, pr := range ev.paths {
			pi := ix.byPath[pr.path]
			if pi == nil {
				continue
			}
			for fi := pr.start; fi < pr.end; fi++ {
				ix.hitField(sc, pi, &ev.fields[fi])
			}
		}
	}
	sc.cands = append(sc.cands, ix.always...)
	matched := false
	for _, rid := range sc.cands {
		rr := &ix.rules[rid]
		w, bit := rr.pat>>6, uint64(1)<<(uint(rr.pat)&63)
		if sc.patBits[w]&bit != 0 {
			continue
		}
		if (rr.simple && !sc.ruleArr[rid]) || rr.sr.match(ev) {
			sc.patBits[w] |= bit
			matched = true
		}
	}
	if matched {
		// Pattern ids follow the sorted names, so reading the bits in order sorts the result.
		for w, word := range sc.patBits {
			if word == 0 {
				continue
			}
			sc.patBits[w] = 0
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &= word - 1
				dst = append(dst, ix.names[w<<6+b])
			}
		}
	}
	if !ix.spare.CompareAndSwap(nil, sc) {
		ix.pool.Put(sc)
	}
	return dst
}

func (ix *index) hit(sc *scratch, refs []condRef, inArray bool) {
	for _, ref := range refs {
		ix.hitOne(sc, ref, inArray)
	}
}

// hitOne records that a value satisfied one cond; the rule becomes a candidate once all its
// positive conds are satisfied.
func (ix *index) hitOne(sc *scratch, ref condRef, inArray bool) {
	if sc.condGen[ref.cond] == sc.gen {
		if inArray {
			sc.ruleArr[ref.rule] = true
		}
		return
	}
	sc.condGen[ref.cond] = sc.gen
	if sc.ruleGen[ref.rule] != sc.gen {
		sc.ruleGen[ref.rule] = sc.gen
		sc.ruleHits[ref.rule] = 0
		sc.ruleArr[ref.rule] = false
	}
	if inArray {
		sc.ruleArr[ref.rule] = true
	}
	sc.ruleHits[ref.rule]++
	if sc.ruleHits[ref.rule] == ix.rules[ref.rule].need {
		sc.cands = append(sc.cands, ref.rule)
	}
}

func (ix *index) hitCands(sc *scratch, cs []cand, f *field, inArray bool) {
	for i := range cs {
		c := &cs[i]
		if c.t == nil || c.t.match(f) {
			ix.hitOne(sc, c.ref, inArray)
		}
	}
}

func (ix *index) hitField(sc *scratch, pi *pathIndex, f *field) {
	arr := f.mEnd > f.mStart
	switch f.kind {
	case jString:
		if refs, ok := pi.strs[f.str]; ok {
			ix.hit(sc, refs, arr)
		}
		for _, n := range pi.prefLens {
			if n > len(f.str) {
				break
			}
			if cs, ok := pi.prefixes[f.str[:n]]; ok {
				ix.hitCands(sc, cs, f, arr)
			}
		}
		for _, n := range pi.sufLens {
			if n > len(f.str) {
				break
			}
			if cs, ok := pi.suffixes[f.str[len(f.str)-n:]]; ok {
				ix.hitCands(sc, cs, f, arr)
			}
		}
	case jNumber:
		if refs, ok := pi.numText[f.str]; ok {
			ix.hit(sc, refs, arr)
		}
		if f.numOK {
			if refs, ok := pi.nums[f.num]; ok {
				ix.hit(sc, refs, arr)
			}
			v := f.num
			// Ranges are sorted by lower bound: only those starting at or below v can hold it.
			n, _ := slices.BinarySearchFunc(pi.ranges, v, func(r numRange, v float64) int {
				if r.lo <= v {
					return -1
				}
				return 1
			})
			for i := range pi.ranges[:n] {
				r := &pi.ranges[i]
				if (v > r.lo || (v == r.lo && !r.loOpen)) && (v < r.hi || (v == r.hi && !r.hiOpen)) {
					ix.hitOne(sc, r.ref, arr)
				}
			}
		}
	case jTrue:
		ix.hit(sc, pi.lits[0], arr)
	case jFalse:
		ix.hit(sc, pi.lits[1], arr)
	case jNull:
		ix.hit(sc, pi.lits[2], arr)
	}
	ix.hit(sc, pi.exists, arr)
	if len(pi.abRefs) > 0 {
		ix.hitAnythingBut(sc, pi, f, arr)
	}
	for i := range pi.others {
		o := &pi.others[i]
		if sc.condGen[o.ref.cond] == sc.gen && !arr {
			continue // already hit
		}
		if o.t.match(f) {
			ix.hitOne(sc, o.ref, arr)
		}
	}
}

// hitAnythingBut hits every anything-but list on the path except those that exclude f.
func (ix *index) hitAnythingBut(sc *scratch, pi *pathIndex, f *field, arr bool) {
	var excl []int32
	var excl2 []int32
	switch f.kind {
	case jString:
		excl = pi.abStrs[f.str]
	case jNumber:
		excl = pi.abNumText[f.str]
		if f.numOK {
			excl2 = pi.abNums[f.num]
		}
	}
	if len(excl) == 0 && len(excl2) == 0 {
		ix.hit(sc, pi.abRefs, arr)
		return
	}
	sc.abStamp++
	if sc.abStamp == 0 {
		clear(sc.abMark)
		sc.abStamp = 1
	}
	mark := sc.abMark[pi.abBase : pi.abBase+int32(len(pi.abRefs))]
	for _, k := range excl {
		mark[k] = sc.abStamp
	}
	for _, k := range excl2 {
		mark[k] = sc.abStamp
	}
	for k, ref := range pi.abRefs {
		if mark[k] != sc.abStamp {
			ix.hitOne(sc, ref, arr)
		}
	}
}
