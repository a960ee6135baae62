package symphony

// dayMemo is a memo indexed by day (or bar) that holds only the span of indexes touched so far:
// a live evaluation touches a few dozen days, a backtest all of them. New cells hold fill.
type dayMemo[T any] struct {
	base int
	v    []T
	fill T
}

// at returns the cell of index i, growing the span to include it.
func (w *dayMemo[T]) at(i int) *T {
	if j := i - w.base; j >= 0 && j < len(w.v) {
		return &w.v[j]
	}
	w.grow(i)
	return &w.v[i-w.base]
}

func (w *dayMemo[T]) grow(i int) {
	if len(w.v) == 0 {
		w.base = i
		w.v = make([]T, 1, 16)
		w.v[0] = w.fill
		return
	}
	lo, hi := min(w.base, i), max(w.base+len(w.v), i+1)
	// Grow by at least the current size in the direction of the access, so a backtest walking
	// forward day by day reallocates O(log n) times.
	if i >= w.base {
		hi = max(hi, w.base+2*len(w.v))
	} else {
		lo = min(lo, w.base-len(w.v))
		lo = max(lo, 0)
	}
	nv := make([]T, hi-lo)
	for k := range nv {
		nv[k] = w.fill
	}
	copy(nv[w.base-lo:], w.v)
	w.base, w.v = lo, nv
}
