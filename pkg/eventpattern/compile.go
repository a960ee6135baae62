package eventpattern

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// cond is one field of a sub-rule: the event must have a value at path passing any of tests,
// or, when absent is set, may instead have no value at path at all.
type cond struct {
	path   string
	tests  []test
	absent bool
}

// rank orders conds for matching: value tests only, then tests or absence, then absence only.
func (c *cond) rank() int {
	switch {
	case !c.absent:
		return 0
	case len(c.tests) > 0:
		return 1
	default:
		return 2
	}
}

// subRule is one branch of a pattern after $or expansion: every cond must hold, with values
// taken from the same element of any array they share.
type subRule struct {
	conds []cond // sorted by path
}

// Pattern is a compiled EventBridge event pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	rules  []subRule
	filter pathFilter // every path the pattern tests, for parsing raw events
}

// Compile validates and compiles one EventBridge event pattern (a JSON object). An invalid
// pattern yields a *PatternError whose reason is worded as AWS words it.
func Compile(pattern []byte) (*Pattern, error) {
	root, err := parseTree(pattern)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, &PatternError{Reason: se.msg, Offset: se.off}
		}
		return nil, err
	}
	if root.kind != jObject {
		return nil, &PatternError{Reason: "Filter is not an object", Offset: root.off}
	}
	c := compiler{}
	if err := c.object(root, "", "", false); err != nil {
		return nil, err
	}
	p := &Pattern{filter: pathFilter{}}
	for _, r := range c.rules {
		sr := subRule{}
		for _, path := range r.order {
			tests := r.m[path]
			cd := cond{path: path}
			p.filter.add(path)
			for _, t := range tests {
				if t.op == opAbsent {
					cd.absent = true
					continue
				}
				cd.tests = append(cd.tests, t)
			}
			sr.conds = append(sr.conds, cd)
		}
		// Conds that can be met by absence go last: absence is judged within the array elements
		// that the values chosen for the other conds sit in.
		slices.SortFunc(sr.conds, func(a, b cond) int {
			if ra, rb := a.rank(), b.rank(); ra != rb {
				return ra - rb
			}
			return strings.Compare(a.path, b.path)
		})
		p.rules = append(p.rules, sr)
	}
	return p, nil
}

// MustCompile is like Compile but panics on an invalid pattern. It is meant for patterns that
// are constants in a program.
func MustCompile(pattern string) *Pattern {
	p, err := Compile([]byte(pattern))
	if err != nil {
		panic(err)
	}
	return p
}

type ruleBuild struct {
	order []string
	m     map[string][]test
}

func (r *ruleBuild) clone() *ruleBuild {
	n := &ruleBuild{order: slices.Clone(r.order), m: make(map[string][]test, len(r.m))}
	for k, v := range r.m {
		n.m[k] = v
	}
	return n
}

type compiler struct {
	rules []*ruleBuild
}

func fail(n *jnode, loc, reason string) error {
	return &PatternError{Reason: reason, Path: loc, Offset: n.off}
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func locIndex(loc string, i int) string { return loc + "[" + strconv.Itoa(i) + "]" }

// object compiles the fields of an object in the pattern. path is the dotted event path so far,
// ending in a dot unless empty (so that empty keys still count as a level); loc is the location
// in the pattern for error messages.
func (c *compiler) object(n *jnode, path, loc string, inOr bool) error {
	if len(n.keys) == 0 {
		return fail(n, loc, "Empty objects are not allowed")
	}
	for i, key := range n.keys {
		v := n.vals[i]
		kloc := joinPath(loc, key)
		if key == "$or" {
			if err := c.or(v, path, kloc); err != nil {
				return err
			}
			continue
		}
		if inOr && isReservedInOr(key) {
			return fail(v, kloc, key+" is Ruler reserved fieldName which cannot be used inside $or.")
		}
		switch v.kind {
		case jObject:
			if err := c.object(v, path+key+".", kloc, inOr); err != nil {
				return err
			}
		case jArray:
			if err := c.leaf(v, path+key, kloc); err != nil {
				return err
			}
		default:
			return fail(v, kloc, fmt.Sprintf("%q must be an object or an array", key))
		}
	}
	return nil
}

var reservedInOr = []string{
	"exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
	"=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
	"date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
	"ip-address-in-range", "ip-address-not-in-range",
}

func isReservedInOr(k string) bool { return slices.Contains(reservedInOr, k) }

func (c *compiler) or(v *jnode, path, loc string) error {
	if v.kind != jArray {
		return fail(v, loc, "It must be an Array followed with $or.")
	}
	current := c.rules
	var out []*ruleBuild
	for i, el := range v.vals {
		if el.kind != jObject {
			return fail(el, locIndex(loc, i), "Only JSON object is allowed in array of $or relationship.")
		}
		branch := make([]*ruleBuild, 0, len(current))
		for _, r := range current {
			branch = append(branch, r.clone())
		}
		if len(branch) == 0 {
			branch = append(branch, &ruleBuild{m: map[string][]test{}})
		}
		c.rules = branch
		if err := c.object(el, path, locIndex(loc, i), true); err != nil {
			return err
		}
		out = append(out, c.rules...)
	}
	if len(v.vals) < 2 {
		return fail(v, loc, "There must have at least 2 Objects in $or relationship.")
	}
	if len(out) > maxSubRules {
		return fail(v, loc, "Rule is too complex - too many combinations of $or branches")
	}
	c.rules = out
	return nil
}

// maxSubRules bounds $or expansion so a hostile pattern cannot exhaust memory.
const maxSubRules = 4096

// leaf compiles the array of alternatives for one field.
func (c *compiler) leaf(v *jnode, path, loc string) error {
	var tests []test
	for i, el := range v.vals {
		eloc := locIndex(loc, i)
		switch el.kind {
		case jObject:
			t, err := matchExpr(el, eloc)
			if err != nil {
				return err
			}
			tests = append(tests, t)
		case jString:
			t := test{op: opExactString, s: el.str}
			if looksLikeIP(el.str) {
				if ip, fam, ok := parseIP(el.str); ok {
					t.ipFam, t.ipLo = fam, ip
				}
			}
			tests = append(tests, t)
		case jNumber:
			t := test{op: opExactNumber, s: el.str}
			t.num, t.numOK = parseNumber(el.str)
			tests = append(tests, t)
		case jTrue:
			tests = append(tests, test{op: opTrue})
		case jFalse:
			tests = append(tests, test{op: opFalse})
		case jNull:
			tests = append(tests, test{op: opNull})
		default:
			return fail(el, eloc, "Match value must be String, number, true, false, or null")
		}
	}
	if len(tests) == 0 {
		return fail(v, loc, "Empty arrays are not allowed")
	}
	if len(c.rules) == 0 {
		c.rules = append(c.rules, &ruleBuild{m: map[string][]test{}})
	}
	for _, r := range c.rules {
		if _, ok := r.m[path]; !ok {
			r.order = append(r.order, path)
		}
		r.m[path] = tests
	}
	return nil
}

// matchExpr compiles one {"operator": value} object.
func matchExpr(n *jnode, loc string) (test, error) {
	if len(n.keys) == 0 {
		return test{}, fail(n, loc, "Match expression name not found")
	}
	name := n.keys[0]
	v := n.vals[0]
	loc = joinPath(loc, name)
	onlyOne := func() error {
		if len(n.keys) > 1 {
			return fail(n.vals[1], loc, "Only one key allowed in match expression")
		}
		return nil
	}
	switch name {
	case "exactly":
		if v.kind != jString {
			return test{}, fail(v, loc, "exact match pattern must be a string")
		}
		return test{op: opExactString, s: v.str}, onlyOne()
	case "prefix", "suffix":
		if v.kind == jObject {
			t, err := foldExpr(v, loc, name)
			if err != nil {
				return t, err
			}
			return t, onlyOneFold(n, loc)
		}
		if v.kind != jString {
			return test{}, fail(v, loc, name+" match pattern must be a string")
		}
		o := opPrefix
		if name == "suffix" {
			o = opSuffix
		}
		return test{op: o, s: v.str}, onlyOne()
	case "numeric":
		if v.kind != jArray {
			return test{}, fail(v, loc, "Value of numeric must be an array.")
		}
		t, err := numericExpr(v, loc)
		if err != nil {
			return t, err
		}
		if len(n.keys) > 1 {
			return t, fail(n.vals[1], loc, "Too many elements in numeric expression")
		}
		return t, nil
	case "anything-but":
		return anythingBut(n, v, loc)
	case "exists":
		var t test
		switch v.kind {
		case jTrue:
			t = test{op: opExists}
		case jFalse:
			t = test{op: opAbsent}
		default:
			return test{}, fail(v, loc, "exists match pattern must be either true or false.")
		}
		return t, onlyOne()
	case "cidr":
		if v.kind != jString {
			return test{}, fail(v, loc, "prefix match pattern must be a string")
		}
		t, reason := parseCIDR(v.str)
		if reason != "" {
			return test{}, fail(v, loc, reason)
		}
		return t, onlyOne()
	case "equals-ignore-case":
		if v.kind != jString {
			return test{}, fail(v, loc, "equals-ignore-case match pattern must be a string")
		}
		return test{op: opEqualsFold, s: v.str}, onlyOne()
	case "wildcard":
		if v.kind != jString {
			return test{}, fail(v, loc, "wildcard match pattern must be a string")
		}
		g, reason := parseWildcard(v.str)
		if reason != "" {
			return test{}, fail(v, loc, reason)
		}
		return test{op: opWildcard, glob: g}, onlyOne()
	default:
		return test{}, fail(n, loc, "Unrecognized match type "+name)
	}
}

// foldExpr compiles {"prefix"|"suffix": {"equals-ignore-case": "..."}}.
func foldExpr(v *jnode, loc, name string) (test, error) {
	title := strings.ToUpper(name[:1]) + name[1:]
	if len(v.keys) == 0 {
		return test{}, fail(v, loc, title+" expression name not found")
	}
	if v.keys[0] != "equals-ignore-case" {
		return test{}, fail(v, loc, "Unsupported "+name+" pattern: "+v.keys[0])
	}
	s := v.vals[0]
	if s.kind != jString {
		return test{}, fail(s, joinPath(loc, v.keys[0]), "equals-ignore-case match pattern must be a string")
	}
	if len(v.keys) > 1 {
		return test{}, fail(v.vals[1], loc, "Only one key allowed in match expression")
	}
	o := opPrefixFold
	if name == "suffix" {
		o = opSuffixFold
	}
	return test{op: o, s: s.str}, nil
}

func onlyOneFold(n *jnode, loc string) error {
	if len(n.keys) > 1 {
		return fail(n.vals[1], loc, "Only one key allowed in match expression")
	}
	return nil
}

func anythingBut(n, v *jnode, loc string) (test, error) {
	sub := ""
	if v.kind == jObject {
		if len(v.keys) == 0 {
			return test{}, fail(v, loc, "Anything-But expression name not found")
		}
		sub = v.keys[0]
		switch sub {
		case "equals-ignore-case", "prefix", "suffix", "wildcard":
		default:
			return test{}, fail(v, loc, "Unsupported anything-but pattern: "+sub)
		}
		inner := v.vals[0]
		loc = joinPath(loc, sub)
		if inner.kind != jArray && inner.kind != jString && inner.kind != jNumber {
			return test{}, fail(inner, loc, "Value of anything-but must be an array or single string/number value.")
		}
		if len(v.keys) > 1 {
			return test{}, fail(v.vals[1], loc, "Too many elements in numeric expression")
		}
		t, err := anythingButSet(inner, loc, sub)
		if err != nil {
			return t, err
		}
		if len(n.keys) > 1 {
			return t, fail(n.vals[1], loc, "Too many elements in numeric expression")
		}
		return t, nil
	}
	var t test
	switch v.kind {
	case jArray:
		t = test{op: opAnythingBut}
		hasNum, hasStr := false, false
		for i, el := range v.vals {
			switch el.kind {
			case jString:
				t.strs = append(t.strs, el.str)
				hasStr = true
			case jNumber:
				num, ok := parseNumber(el.str)
				if !ok {
					return test{}, fail(el, locIndex(loc, i), "Cannot compare number : "+el.str)
				}
				t.nums = append(t.nums, num)
				t.strs = append(t.strs, el.str)
				hasNum = true
			default:
				return test{}, fail(el, locIndex(loc, i), "Inside anything but list, start|null|boolean is not supported.")
			}
		}
		if hasNum == hasStr {
			return test{}, fail(v, loc, "Inside anything but list, either all values are number or string, mixed type is not supported")
		}
		t.isNumT = hasNum
	case jString:
		t = test{op: opAnythingBut, strs: []string{v.str}}
	case jNumber:
		num, ok := parseNumber(v.str)
		if !ok {
			return test{}, fail(v, loc, "Cannot compare number : "+v.str)
		}
		t = test{op: opAnythingBut, strs: []string{v.str}, nums: []float64{num}, isNumT: true}
	default:
		return test{}, fail(v, loc, "Value of anything-but must be an array or single string/number value.")
	}
	if len(n.keys) > 1 {
		return t, fail(n.vals[1], loc, "Too many elements in numeric expression")
	}
	return t, nil
}

// anythingButSet compiles anything-but's equals-ignore-case, prefix, suffix and wildcard forms.
func anythingButSet(v *jnode, loc, sub string) (test, error) {
	var vals []*jnode
	if v.kind == jArray {
		vals = v.vals
	} else {
		vals = []*jnode{v}
	}
	t := test{}
	switch sub {
	case "equals-ignore-case":
		t.op = opAnythingButFold
	case "prefix":
		t.op = opAnythingButPrefix
	case "suffix":
		t.op = opAnythingButSuffix
	case "wildcard":
		t.op = opAnythingButWildcard
	}
	for i, el := range vals {
		eloc := loc
		if v.kind == jArray {
			eloc = locIndex(loc, i)
		}
		if el.kind != jString {
			switch sub {
			case "equals-ignore-case":
				return test{}, fail(el, eloc, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
			case "wildcard":
				return test{}, fail(el, eloc, "wildcard match pattern must be a string")
			default:
				return test{}, fail(el, eloc, "prefix/suffix match pattern must be a string")
			}
		}
		if (sub == "prefix" || sub == "suffix") && el.str == "" {
			return test{}, fail(el, eloc, "Null prefix/suffix not allowed")
		}
		if sub == "wildcard" {
			g, reason := parseWildcard(el.str)
			if reason != "" {
				return test{}, fail(el, eloc, reason)
			}
			t.globs = append(t.globs, g)
			continue
		}
		t.strs = append(t.strs, el.str)
	}
	return t, nil
}

func numericExpr(v *jnode, loc string) (test, error) {
	els := v.vals
	at := func(i int) *jnode {
		if i < len(els) {
			return els[i]
		}
		return v
	}
	if len(els) == 0 || els[0].kind != jString {
		got := "]"
		if len(els) > 0 {
			got = els[0].str
			if els[0].kind != jString && els[0].kind != jNumber {
				got = els[0].kind.String()
			}
		}
		return test{}, fail(at(0), loc, "Invalid member in numeric match: "+got)
	}
	operator := els[0].str
	num := func(i int, what string) (float64, error) {
		if i >= len(els) || els[i].kind != jNumber {
			return 0, fail(at(i), locIndex(loc, i), "Value of "+what+" must be numeric")
		}
		f, ok := parseNumber(els[i].str)
		if !ok {
			return 0, fail(els[i], locIndex(loc, i), "Cannot compare number : "+els[i].str)
		}
		return f, nil
	}
	t := test{op: opNumeric, lo: negInf, hi: posInf}
	switch operator {
	case "=":
		f, err := num(1, "equals")
		if err != nil {
			return t, err
		}
		if len(els) > 2 {
			return t, fail(els[2], locIndex(loc, 2), "Too many elements in numeric expression")
		}
		t.lo, t.hi = f, f
		return t, nil
	case "<", "<=":
		f, err := num(1, operator)
		if err != nil {
			return t, err
		}
		if len(els) > 2 {
			return t, fail(els[2], locIndex(loc, 2), "Too many elements in numeric expression")
		}
		t.hi, t.hiOpen = f, operator == "<"
		return t, nil
	case ">", ">=":
		f, err := num(1, operator)
		if err != nil {
			return t, err
		}
		t.lo, t.loOpen = f, operator == ">"
		if len(els) == 2 {
			return t, nil
		}
		if els[2].kind != jString {
			return t, fail(els[2], locIndex(loc, 2), "Bad value in numeric range: "+els[2].str)
		}
		op2 := els[2].str
		if op2 != "<" && op2 != "<=" {
			return t, fail(els[2], locIndex(loc, 2), "Bad numeric range operator: "+op2)
		}
		g, err := num(3, op2)
		if err != nil {
			return t, err
		}
		if len(els) > 4 {
			return t, fail(els[4], locIndex(loc, 4), "Too many terms in numeric range expression")
		}
		t.hi, t.hiOpen = g, op2 == "<"
		if !(t.lo < t.hi) {
			return t, fail(v, loc, "Bottom must be less than top")
		}
		return t, nil
	default:
		return t, fail(els[0], locIndex(loc, 0), "Unrecognized numeric range operator: "+operator)
	}
}
