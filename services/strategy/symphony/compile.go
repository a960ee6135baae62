package symphony

import (
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
)

// operators lists what may appear in operator position, for error messages.
const operators = "asset, group, empty, weight-equal, weight-specified, weight-inverse-volatility, if, filter"

// Parse reads and compiles one symphony file. file names the source in errors; every error is
// an *Error carrying file, line and column.
func Parse(file string, src []byte) (*Program, error) {
	p, c, err := parse(src)
	if err != nil {
		if se, ok := err.(*Error); ok {
			se.Pos.File = file
		}
		return nil, err
	}
	p.File = file
	p.symtab = c.symtab
	p.symbols = append([]string(nil), c.symtab...)
	sort.Strings(p.symbols)
	p.nodes = c.nodes
	return p, nil
}

func parse(src []byte) (*Program, *compiler, error) {
	forms, err := readForms(src)
	if err != nil {
		return nil, nil, err
	}
	if len(forms) == 0 {
		return nil, nil, errAt(at{1, 1}, "empty file: expected (defsymphony \"name\" {settings} body)")
	}
	if len(forms) > 1 {
		return nil, nil, errAt(forms[1].pos, "expected end of file after the defsymphony form, found %s", forms[1].describe())
	}
	c := &compiler{symbols: map[string]int32{}, tickers: map[string]string{}}
	p, err := c.symphony(forms[0])
	return p, c, err
}

type compiler struct {
	symbols map[string]int32 // symbol -> index in symtab
	symtab  []string
	tickers map[string]string
	nodes   int
}

// sym returns the program-local index of symbol s.
func (c *compiler) sym(s string) int32 {
	if i, ok := c.symbols[s]; ok {
		return i
	}
	i := int32(len(c.symtab))
	c.symbols[s] = i
	c.symtab = append(c.symtab, s)
	return i
}

func head(f form) (string, bool) {
	if f.kind != fList || len(f.items) == 0 || f.items[0].kind != fSymbol {
		return "", false
	}
	return f.items[0].text, true
}

func (c *compiler) symphony(f form) (*Program, error) {
	h, ok := head(f)
	if !ok || h != "defsymphony" {
		return nil, errAt(f.pos, "expected (defsymphony \"name\" {settings} body), found %s", f.describe())
	}
	args := f.items[1:]
	if len(args) != 3 {
		return nil, errAt(f.pos, "defsymphony: wrong number of arguments: expected 3 (name, settings map, body), got %d", len(args))
	}
	if args[0].kind != fString {
		return nil, errAt(args[0].pos, "defsymphony: expected the name as a string, found %s", args[0].describe())
	}
	p := &Program{Name: args[0].text, Rebalance: Rebalance{Frequency: Daily}}
	if err := c.settings(args[1], &p.Rebalance); err != nil {
		return nil, err
	}
	root, err := c.node(args[2])
	if err != nil {
		return nil, err
	}
	p.root = root
	return p, nil
}

func (c *compiler) settings(f form, r *Rebalance) error {
	if f.kind != fMap {
		return errAt(f.pos, "defsymphony: expected a settings map such as {:rebalance-frequency :daily}, found %s", f.describe())
	}
	for i := 0; i < len(f.items); i += 2 {
		k, v := f.items[i], f.items[i+1]
		if k.kind != fKeyword {
			return errAt(k.pos, "settings: expected a keyword key such as :rebalance-frequency, found %s", k.describe())
		}
		switch k.text {
		case "rebalance-frequency":
			if v.kind != fKeyword {
				return errAt(v.pos, "settings: :rebalance-frequency expects one of :daily :weekly :monthly :quarterly :yearly :none, found %s", v.describe())
			}
			switch fr := Frequency(v.text); fr {
			case Daily, Weekly, Monthly, Quarterly, Yearly, Never:
				r.Frequency = fr
			default:
				return errAt(v.pos, "settings: :rebalance-frequency expects one of :daily :weekly :monthly :quarterly :yearly :none, found :%s", v.text)
			}
		case "rebalance-threshold", "rebalance-corridor-width":
			d, err := decimalOf(v)
			if err != nil || !d.IsPositive() || !d.LessThan(decimal.NewFromInt(1)) {
				return errAt(v.pos, "settings: :%s expects a fraction between 0 and 1 such as 0.05, found %s", k.text, v.describe())
			}
			r.Threshold, r.HasThreshold = d, true
		default:
			// Composer exports carry other settings (:asset-class, :asset-classes); they do not
			// change the allocation.
		}
	}
	return nil
}

func decimalOf(f form) (decimal.Decimal, error) {
	if f.kind != fNumber {
		return decimal.Decimal{}, errAt(f.pos, "expected a number, found %s", f.describe())
	}
	return decimal.NewFromString(strings.TrimPrefix(f.text, "+"))
}

// children compiles a list of child forms; vectors among them are spliced in.
func (c *compiler) children(forms []form) ([]*node, error) {
	var out []*node
	for _, f := range forms {
		if f.kind == fVector {
			kids, err := c.children(f.items)
			if err != nil {
				return nil, err
			}
			out = append(out, kids...)
			continue
		}
		n, err := c.node(f)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// branch compiles one child form, where a vector of several children is weighted equally and
// an empty vector is (empty).
func (c *compiler) branch(f form) (*node, error) {
	if f.kind != fVector {
		return c.node(f)
	}
	kids, err := c.children(f.items)
	if err != nil {
		return nil, err
	}
	switch len(kids) {
	case 0:
		return &node{kind: nEmpty, pos: f.pos}, nil
	case 1:
		return kids[0], nil
	}
	c.nodes++
	return &node{kind: nEqual, pos: f.pos, children: kids}, nil
}

func (c *compiler) node(f form) (*node, error) {
	h, ok := head(f)
	if !ok {
		return nil, errAt(f.pos, "expected an operator form such as (asset \"SPY\") or (weight-equal [...]), found %s", f.describe())
	}
	args := f.items[1:]
	c.nodes++
	switch h {
	case "asset":
		return c.asset(f, args)
	case "group":
		if len(args) < 1 || args[0].kind != fString {
			return nil, errAt(f.pos, "group: expected (group \"name\" [children])")
		}
		kids, err := c.children(args[1:])
		if err != nil {
			return nil, err
		}
		return &node{kind: nGroup, pos: f.pos, name: args[0].text, children: kids}, nil
	case "empty":
		if len(args) != 0 {
			return nil, errAt(f.pos, "empty: wrong number of arguments: expected 0, got %d", len(args))
		}
		return &node{kind: nEmpty, pos: f.pos}, nil
	case "weight-equal":
		kids, err := c.children(args)
		if err != nil {
			return nil, err
		}
		return &node{kind: nEqual, pos: f.pos, children: kids}, nil
	case "weight-specified":
		return c.specified(f, args)
	case "weight-inverse-volatility", "weight-inverse-vol":
		if len(args) < 1 {
			return nil, errAt(f.pos, "%s: wrong number of arguments: expected a window and children", h)
		}
		w, err := window(h, args[0], 1)
		if err != nil {
			return nil, err
		}
		kids, err := c.children(args[1:])
		if err != nil {
			return nil, err
		}
		markSimulated(kids)
		return &node{kind: nInvVol, pos: f.pos, window: w, children: kids}, nil
	case "if":
		return c.ifNode(f, args)
	case "filter":
		return c.filter(f, args)
	}
	if _, isInd := indicatorByName[h]; isInd {
		return nil, errAt(f.pos, "%s is an indicator, not an allocation: use it inside (if (> ...)) or (filter ...)", h)
	}
	return nil, errAt(f.items[0].pos, "unknown operator %q: expected one of %s", h, operators)
}

func (c *compiler) asset(f form, args []form) (*node, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, errAt(f.pos, "asset: wrong number of arguments: expected (asset \"TICKER\") or (asset \"TICKER\" \"description\"), got %d", len(args))
	}
	sym, err := c.ticker(args[0])
	if err != nil {
		return nil, err
	}
	return &node{kind: nAsset, pos: f.pos, name: sym, sym: c.sym(sym)}, nil
}

// ticker is the package function ticker, memoised per distinct string.
func (c *compiler) ticker(f form) (string, error) {
	if f.kind == fString {
		if s, ok := c.tickers[f.text]; ok {
			return s, nil
		}
	}
	s, err := ticker(f)
	if err == nil {
		c.tickers[f.text] = s
	}
	return s, err
}

// ticker reads a ticker string, accepting Composer's "EQUITIES::SPY//USD" form.
func ticker(f form) (string, error) {
	if f.kind != fString {
		return "", errAt(f.pos, "expected a ticker string such as \"SPY\", found %s", f.describe())
	}
	t := f.text
	if i := strings.Index(t, "::"); i >= 0 {
		t = t[i+2:]
	}
	t = strings.TrimSuffix(t, "//USD")
	s, err := market.ParseSymbol(t)
	if err != nil {
		return "", errAt(f.pos, "bad ticker: %v", err)
	}
	return s.String(), nil
}

func (c *compiler) specified(f form, args []form) (*node, error) {
	if len(args) == 0 || len(args)%2 != 0 {
		return nil, errAt(f.pos, "weight-specified: wrong number of arguments: expected weight and child pairs (weight-specified 0.6 (asset \"SPY\") 0.4 (asset \"TLT\")), got %d", len(args))
	}
	n := &node{kind: nSpecified, pos: f.pos}
	var ws []decimal.Decimal
	for i := 0; i < len(args); i += 2 {
		w, err := weightOf(args[i])
		if err != nil {
			return nil, err
		}
		kid, err := c.branch(args[i+1])
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
		n.children = append(n.children, kid)
	}
	normaliseDecimal(ws)
	for _, w := range ws {
		n.weights = append(n.weights, toUnits(w))
	}
	return n, nil
}

// weightOf reads a weight: a positive number (0.6 or 60; the weights are normalised by their
// sum) or a percentage string such as "60%".
func weightOf(f form) (decimal.Decimal, error) {
	var d decimal.Decimal
	var err error
	switch f.kind {
	case fNumber:
		d, err = decimalOf(f)
	case fString:
		s := strings.TrimSpace(f.text)
		if !strings.HasSuffix(s, "%") {
			return d, errAt(f.pos, "weight-specified: weight is not a number: expected a number such as 0.6 or a percentage such as \"60%%\", found %s", f.describe())
		}
		d, err = decimal.NewFromString(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	default:
		return d, errAt(f.pos, "weight-specified: weight is not a number: expected a number such as 0.6 or a percentage such as \"60%%\", found %s", f.describe())
	}
	if err != nil {
		return d, errAt(f.pos, "weight-specified: weight is not a number: %s", f.describe())
	}
	if !d.IsPositive() {
		return d, errAt(f.pos, "weight-specified: weight %s is not positive", f.text)
	}
	return d, nil
}

// window reads a window: a whole number N or {:window N}, from min to MaxWindow.
func window(op string, f form, min int) (int, error) {
	v := f
	if f.kind == fMap {
		found := false
		for i := 0; i < len(f.items); i += 2 {
			k := f.items[i]
			if k.kind != fKeyword || k.text != "window" {
				return 0, errAt(k.pos, "%s: bad window: expected {:window N}, found key %s", op, k.describe())
			}
			v, found = f.items[i+1], true
		}
		if !found {
			return 0, errAt(f.pos, "%s: bad window: expected {:window N}, found an empty map", op)
		}
	}
	if v.kind != fNumber {
		return 0, errAt(v.pos, "%s: bad window: expected a whole number of days N or {:window N}, found %s", op, v.describe())
	}
	if n, err := strconv.Atoi(v.text); err == nil && n >= min && n <= MaxWindow {
		return n, nil
	}
	d, err := decimal.NewFromString(strings.TrimPrefix(v.text, "+"))
	if err != nil || !d.IsInteger() || d.LessThan(decimal.NewFromInt(int64(min))) || d.GreaterThan(decimal.NewFromInt(MaxWindow)) {
		return 0, errAt(v.pos, "%s: bad window %s: expected a whole number of days from %d to %d", op, v.text, min, MaxWindow)
	}
	return int(d.IntPart()), nil
}

func (c *compiler) ifNode(f form, args []form) (*node, error) {
	switch {
	case len(args) == 2:
		return nil, errAt(f.pos, "if: missing else-branch: expected (if condition [then...] [else...]); use [(asset \"BIL\")] or (empty) for a cash-like branch")
	case len(args) != 3:
		return nil, errAt(f.pos, "if: wrong number of arguments: expected 3 (condition, then-branch, else-branch), got %d", len(args))
	}
	cd, err := c.condition(args[0])
	if err != nil {
		return nil, err
	}
	then, err := c.branch(args[1])
	if err != nil {
		return nil, err
	}
	els, err := c.branch(args[2])
	if err != nil {
		return nil, err
	}
	return &node{kind: nIf, pos: f.pos, cond: cd, children: []*node{then, els}}, nil
}

func (c *compiler) condition(f form) (*cond, error) {
	h, ok := head(f)
	if !ok {
		return nil, errAt(f.pos, "expected a condition such as (> (rsi \"SPY\" {:window 10}) 79), found %s", f.describe())
	}
	args := f.items[1:]
	switch h {
	case "and", "or":
		if len(args) == 0 {
			return nil, errAt(f.pos, "%s: wrong number of arguments: expected at least 1 condition", h)
		}
		cd := &cond{op: h, pos: f.pos}
		for _, a := range args {
			sub, err := c.condition(a)
			if err != nil {
				return nil, err
			}
			cd.subs = append(cd.subs, sub)
		}
		return cd, nil
	case ">", "<", ">=", "<=", "=":
		if len(args) != 2 {
			return nil, errAt(f.pos, "%s: wrong number of arguments: expected 2 (an indicator and a number or another indicator), got %d", h, len(args))
		}
		l, err := c.operand(args[0])
		if err != nil {
			return nil, err
		}
		r, err := c.operand(args[1])
		if err != nil {
			return nil, err
		}
		if l.ind == nil && r.ind == nil {
			return nil, errAt(f.pos, "%s: expected at least one indicator, found two numbers", h)
		}
		return &cond{op: h, pos: f.pos, left: l, right: r}, nil
	}
	return nil, errAt(f.items[0].pos, "unknown operator %q in a condition: expected one of >, <, >=, <=, =, and, or", h)
}

func (c *compiler) operand(f form) (operand, error) {
	if f.kind == fNumber {
		v, err := strconv.ParseFloat(strings.TrimPrefix(f.text, "+"), 64)
		if err != nil {
			return operand{}, errAt(f.pos, "malformed number %s", f.text)
		}
		return operand{num: v, lit: f.text}, nil
	}
	ref, err := c.indicator(f, true)
	if err != nil {
		return operand{}, err
	}
	return operand{ind: &ref}, nil
}

// indicator compiles (fn "SYM" window) when withSymbol, or (fn window) for a filter's ranking.
func (c *compiler) indicator(f form, withSymbol bool) (indicatorRef, error) {
	h, ok := head(f)
	if !ok {
		return indicatorRef{}, errAt(f.pos, "expected an indicator such as (rsi \"SPY\" {:window 10}) or a number, found %s", f.describe())
	}
	fn, ok := indicatorByName[h]
	if !ok {
		return indicatorRef{}, errAt(f.items[0].pos, "unknown indicator %q: expected one of rsi, moving-average-price, exponential-moving-average-price, moving-average-return, cumulative-return, stdev-return, stdev-price, max-drawdown, current-price", h)
	}
	args := f.items[1:]
	ref := indicatorRef{fn: fn, pos: f.pos}
	want := 0
	usage := "(" + h
	if withSymbol {
		want++
		usage += " \"SYMBOL\""
	}
	if fn.HasWindow() {
		want++
		usage += " {:window N}"
	}
	usage += ")"
	if len(args) != want {
		return ref, errAt(f.pos, "%s: wrong number of arguments: expected %d %s, got %d", h, want, usage, len(args))
	}
	if withSymbol {
		s, err := c.ticker(args[0])
		if err != nil {
			return ref, err
		}
		ref.symbol = s
		ref.sym = c.sym(s)
		args = args[1:]
	}
	if fn.HasWindow() {
		w, err := window(h, args[0], fn.minWindow())
		if err != nil {
			return ref, err
		}
		ref.window = w
	}
	return ref, nil
}

func (c *compiler) filter(f form, args []form) (*node, error) {
	if len(args) < 3 {
		return nil, errAt(f.pos, "filter: wrong number of arguments: expected (filter (indicator {:window N}) (select-top N) [children]), got %d", len(args))
	}
	ref, err := c.indicator(args[0], false)
	if err != nil {
		return nil, err
	}
	sel, ok := head(args[1])
	if !ok || (sel != "select-top" && sel != "select-bottom") {
		return nil, errAt(args[1].pos, "filter: expected (select-top N) or (select-bottom N), found %s", args[1].describe())
	}
	if len(args[1].items) != 2 {
		return nil, errAt(args[1].pos, "%s: wrong number of arguments: expected 1 (how many to select), got %d", sel, len(args[1].items)-1)
	}
	cnt, err := window(sel, args[1].items[1], 1)
	if err != nil {
		return nil, err
	}
	kids, err := c.children(args[2:])
	if err != nil {
		return nil, err
	}
	if len(kids) == 0 {
		return nil, errAt(f.pos, "filter: expected at least one child to rank")
	}
	markSimulated(kids)
	return &node{kind: nFilter, pos: f.pos, rank: ref, top: sel == "select-top", count: cnt, children: kids}, nil
}

// markSimulated flags the children whose own return series will be simulated.
func markSimulated(kids []*node) {
	for _, k := range kids {
		if k.kind != nAsset {
			k.sim = true
		}
	}
}
