package eventpattern

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"unsafe"
)

// field is one leaf value of a flattened event.
type field struct {
	path  string // dotted path of object keys, e.g. "detail.state"
	str   string // unescaped string; raw text of a number; "true", "false" or "null"
	num   float64
	ip    [16]byte
	kind  jkind
	numOK bool
	ipFam uint8
	// members[mStart:mEnd] lists the (array, element) pairs the value sits inside.
	mStart, mEnd int32
}

// rawField is a field while parsing: where its path and text sit in the parser's arena.
type rawField struct {
	pOff, pLen, sOff, sLen int32
	mStart, mEnd           int32
	kind                   jkind
}

// membership says that a value sits in element idx of the array with id arr.
type membership struct {
	arr, idx int32
}

// Event is a parsed event, flattened into leaf fields sorted by path, ready to be matched by
// any number of patterns. An Event is read-only after ParseEvent and safe for concurrent use.
type Event struct {
	fields  []field
	members []membership
	// paths lists each distinct path once with the range of its fields.
	paths []pathRange
}

type pathRange struct {
	path       string
	start, end int32
}

// ParseEvent parses a JSON event (an object) once so that many patterns can match it.
func ParseEvent(event []byte) (*Event, error) {
	ev := &Event{}
	if err := ev.parse(event); err != nil {
		return nil, err
	}
	return ev, nil
}

var (
	parserPool = sync.Pool{New: func() any { return new(eventParser) }}
	eventPool  = sync.Pool{New: func() any { return new(Event) }}
)

func (ev *Event) parse(event []byte) error {
	p := parserPool.Get().(*eventParser)
	defer parserPool.Put(p)
	p.reset(event, ev)
	if err := p.run(); err != nil {
		return err
	}
	p.finish(false)
	return nil
}

// withEvent parses event, keeping only the values that filter names, calls fn with the result
// and recycles it. The event's strings point into pooled memory, so fn must not keep ev or any
// string taken from it. This is how raw events are matched without allocating.
func withEvent(event []byte, filter pathFilter, fn func(ev *Event)) error {
	p := parserPool.Get().(*eventParser)
	ev := eventPool.Get().(*Event)
	p.reset(event, ev)
	p.filter = filter
	err := p.run()
	if err == nil {
		p.finish(true)
		fn(ev)
	}
	p.filter = nil
	p.ev, p.s.data = nil, nil
	parserPool.Put(p)
	eventPool.Put(ev)
	return err
}

// maxEventSize bounds an event so that offsets fit in 32 bits (EventBridge's own limit is 256 KB).
const maxEventSize = 1 << 30

// run parses the whole event.
func (p *eventParser) run() error {
	event := p.s.data
	if len(event) > maxEventSize {
		return &EventError{Reason: "event larger than 1 GiB", Offset: 0}
	}
	p.s.skipWS()
	if p.s.pos >= len(event) || event[p.s.pos] != '{' {
		return &EventError{Reason: "an event must be a JSON object", Offset: p.s.pos}
	}
	if err := p.value(flagPrefix); err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return &EventError{Reason: se.msg, Offset: se.off}
		}
		return err
	}
	p.s.skipWS()
	if p.s.pos != len(event) {
		return &EventError{Reason: "unexpected " + p.s.describe() + " after the JSON value", Offset: p.s.pos}
	}
	return nil
}

// reset prepares a pooled parser for event. The arena starts with a copy of the event, so values
// without escapes are found in place; paths and unescaped strings are appended after it. One
// string conversion at the end backs every path and value.
func (p *eventParser) reset(event []byte, ev *Event) {
	p.s = scanner{data: event, buf: p.s.buf[:0]}
	p.ev = ev
	p.arena = append(p.arena[:0], event...)
	p.path = p.path[:0]
	p.stack = p.stack[:0]
	p.raw = p.raw[:0]
	p.members = p.members[:0]
	p.nextArr = 0
}

// finish turns the raw fields into the event's fields, sorted by path. A transient event reuses
// its slices and points its strings into the parser's arena instead of copying it.
func (p *eventParser) finish(transient bool) {
	ev := p.ev
	arena := p.arena
	perm := p.perm[:0]
	for i := range p.raw {
		perm = append(perm, int32(i))
	}
	pathOf := func(i int32) []byte {
		r := &p.raw[i]
		return arena[r.pOff : r.pOff+r.pLen]
	}
	slices.SortStableFunc(perm, func(a, b int32) int { return bytes.Compare(pathOf(a), pathOf(b)) })
	p.perm = perm
	var text string
	if transient {
		ev.members = append(ev.members[:0], p.members...)
		if len(arena) > 0 {
			text = unsafe.String(unsafe.SliceData(arena), len(arena))
		}
		ev.fields = slices.Grow(ev.fields[:0], len(perm))[:len(perm)]
	} else {
		if len(p.members) > 0 {
			ev.members = slices.Clone(p.members)
		}
		text = string(arena)
		ev.fields = make([]field, len(perm))
	}
	for k, i := range perm {
		r := &p.raw[i]
		f := &ev.fields[k]
		*f = field{kind: r.kind, mStart: r.mStart, mEnd: r.mEnd}
		f.path = text[r.pOff : r.pOff+r.pLen]
		f.str = text[r.sOff : r.sOff+r.sLen]
		switch f.kind {
		case jNumber:
			f.num, f.numOK = parseNumber(f.str)
		case jString:
			if len(f.str) <= 45 && looksLikeIP(f.str) {
				if ip, fam, ok := parseIP(f.str); ok {
					f.ip, f.ipFam = ip, fam
				}
			}
		}
	}
	n := 0
	for i := 0; i < len(ev.fields); i++ {
		if i == 0 || ev.fields[i].path != ev.fields[i-1].path {
			n++
		}
	}
	if transient {
		ev.paths = slices.Grow(ev.paths[:0], n)
	} else {
		ev.paths = make([]pathRange, 0, n)
	}
	for i := 0; i < len(ev.fields); {
		j := i + 1
		for j < len(ev.fields) && ev.fields[j].path == ev.fields[i].path {
			j++
		}
		ev.paths = append(ev.paths, pathRange{path: ev.fields[i].path, start: int32(i), end: int32(j)})
		i = j
	}
}

type eventParser struct {
	s       scanner
	filter  pathFilter
	arena   []byte
	raw     []rawField
	perm    []int32
	members []membership
	ev      *Event
	path    []byte
	stack   []membership // current array memberships
	nextArr int32
}

// Filter flags say what a path is to a set of patterns.
const (
	flagLeaf   uint8 = 1 << iota // a pattern tests values at this path
	flagPrefix                   // a pattern path continues below this path
	flagAll    = flagLeaf | flagPrefix
)

// pathFilter maps each path a set of patterns tests, and each proper prefix of one, to its flags.
// A parse with a filter records only the values the patterns can test.
type pathFilter map[string]uint8

func (pf pathFilter) add(path string) {
	pf[path] |= flagLeaf
	for i := 0; i < len(path); i++ {
		if path[i] == '.' {
			pf[path[:i]] |= flagPrefix
		}
	}
}

// value parses one JSON value at p.path; flags say whether to record leaves there.
func (p *eventParser) value(flags uint8) error {
	s := &p.s
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		empty, err := s.enter('}')
		if err != nil {
			return err
		}
		if empty {
			return nil
		}
		start := len(p.path)
		if s.depth > 1 { // below the top level, keys extend the path after a dot
			p.path = append(p.path, '.')
		}
		base := len(p.path)
		for {
			if err := s.key(); err != nil {
				return err
			}
			k, err := s.strBytes()
			if err != nil {
				return err
			}
			p.path = append(p.path[:base], k...)
			if err := s.colon(); err != nil {
				return err
			}
			child := flagAll
			if p.filter != nil {
				child = p.filter[string(p.path)]
			}
			if child == 0 {
				err = s.skipValue()
			} else {
				err = p.value(child)
			}
			if err != nil {
				return err
			}
			more, err := s.more('}', "object")
			if err != nil {
				return err
			}
			if !more {
				p.path = p.path[:start]
				return nil
			}
		}
	case c == '[':
		id := p.nextArr
		p.nextArr++
		empty, err := s.enter(']')
		if err != nil {
			return err
		}
		if empty {
			return nil
		}
		base := len(p.path)
		for idx := int32(0); ; idx++ {
			s.skipWS()
			p.stack = append(p.stack, membership{arr: id, idx: idx})
			if err := p.value(flags); err != nil {
				return err
			}
			p.stack = p.stack[:len(p.stack)-1]
			p.path = p.path[:base]
			more, err := s.more(']', "array")
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	case c == '"':
		start := s.pos + 1
		b, err := s.strBytes()
		if err != nil {
			return err
		}
		if flags&flagLeaf == 0 {
			return nil
		}
		f := rawField{kind: jString}
		if s.pos-1-start == len(b) { // no escapes: the value sits in the event text
			f.sOff, f.sLen = int32(start), int32(len(b))
		} else {
			f.sOff, f.sLen = int32(len(p.arena)), int32(len(b))
			p.arena = append(p.arena, b...)
		}
		p.add(f)
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.pos
		if err := s.skipNumber(); err != nil {
			return err
		}
		if flags&flagLeaf != 0 {
			p.add(rawField{kind: jNumber, sOff: int32(start), sLen: int32(s.pos - start)})
		}
		return nil
	default:
		start := s.pos
		k, err := s.literal()
		if err != nil {
			return err
		}
		if flags&flagLeaf != 0 {
			p.add(rawField{kind: k, sOff: int32(start), sLen: int32(s.pos - start)})
		}
		return nil
	}
}

func (p *eventParser) add(f rawField) {
	fs := p.raw
	if n := len(fs); n > 0 && int(fs[n-1].pLen) == len(p.path) && string(p.arena[fs[n-1].pOff:fs[n-1].pOff+fs[n-1].pLen]) == string(p.path) {
		f.pOff, f.pLen = fs[n-1].pOff, fs[n-1].pLen // same path as the previous value (arrays)
	} else {
		f.pOff, f.pLen = int32(len(p.arena)), int32(len(p.path))
		p.arena = append(p.arena, p.path...)
	}
	f.mStart = int32(len(p.members))
	if len(p.stack) > 0 {
		p.members = append(p.members, p.stack...)
	}
	f.mEnd = int32(len(p.members))
	p.raw = append(fs, f)
}
