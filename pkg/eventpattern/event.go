package eventpattern

import (
	"errors"
	"slices"
	"strings"
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

func (ev *Event) parse(event []byte) error {
	p := eventParser{s: scanner{data: event}, ev: ev}
	p.s.skipWS()
	if p.s.pos >= len(event) || event[p.s.pos] != '{' {
		return &EventError{Reason: "an event must be a JSON object", Offset: p.s.pos}
	}
	if err := p.value(); err != nil {
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
	slices.SortStableFunc(ev.fields, func(a, b field) int { return strings.Compare(a.path, b.path) })
	for i := 0; i < len(ev.fields); {
		j := i + 1
		for j < len(ev.fields) && ev.fields[j].path == ev.fields[i].path {
			j++
		}
		ev.paths = append(ev.paths, pathRange{path: ev.fields[i].path, start: int32(i), end: int32(j)})
		i = j
	}
	return nil
}

// lookup returns the fields whose path is exactly path.
func (ev *Event) lookup(path string) []field {
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
		return ev.fields[ps[lo].start:ps[lo].end]
	}
	return nil
}

// has reports whether the event has any leaf value at path.
func (ev *Event) has(path string) bool { return ev.lookup(path) != nil }

type eventParser struct {
	s       scanner
	ev      *Event
	path    []byte
	stack   []membership // current array memberships
	nextArr int32
}

func (p *eventParser) value() error {
	s := &p.s
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		if s.depth++; s.depth > maxDepth {
			return s.errorf("nesting deeper than %d", maxDepth)
		}
		s.pos++
		s.skipWS()
		if s.pos < len(s.data) && s.data[s.pos] == '}' {
			s.pos++
			s.depth--
			return nil
		}
		base := len(p.path)
		for {
			s.skipWS()
			if s.pos >= len(s.data) || s.data[s.pos] != '"' {
				return s.errorf("expected a field name in double quotes, found %s", s.describe())
			}
			k, err := s.strBytes()
			if err != nil {
				return err
			}
			if base > 0 {
				p.path = append(p.path[:base], '.')
			} else {
				p.path = p.path[:0]
			}
			p.path = append(p.path, k...)
			s.skipWS()
			if s.pos >= len(s.data) || s.data[s.pos] != ':' {
				return s.errorf("expected ':' after field name, found %s", s.describe())
			}
			s.pos++
			s.skipWS()
			if err := p.value(); err != nil {
				return err
			}
			s.skipWS()
			if s.pos < len(s.data) && s.data[s.pos] == ',' {
				s.pos++
				continue
			}
			if s.pos < len(s.data) && s.data[s.pos] == '}' {
				s.pos++
				s.depth--
				p.path = p.path[:base]
				return nil
			}
			return s.errorf("expected ',' or '}' in object, found %s", s.describe())
		}
	case c == '[':
		if s.depth++; s.depth > maxDepth {
			return s.errorf("nesting deeper than %d", maxDepth)
		}
		s.pos++
		id := p.nextArr
		p.nextArr++
		s.skipWS()
		if s.pos < len(s.data) && s.data[s.pos] == ']' {
			s.pos++
			s.depth--
			return nil
		}
		base := len(p.path)
		for idx := int32(0); ; idx++ {
			s.skipWS()
			p.stack = append(p.stack, membership{arr: id, idx: idx})
			if err := p.value(); err != nil {
				return err
			}
			p.stack = p.stack[:len(p.stack)-1]
			p.path = p.path[:base]
			s.skipWS()
			if s.pos < len(s.data) && s.data[s.pos] == ',' {
				s.pos++
				continue
			}
			if s.pos < len(s.data) && s.data[s.pos] == ']' {
				s.pos++
				s.depth--
				return nil
			}
			return s.errorf("expected ',' or ']' in array, found %s", s.describe())
		}
	case c == '"':
		b, err := s.strBytes()
		if err != nil {
			return err
		}
		f := field{kind: jString, str: string(b)}
		if looksLikeIP(f.str) {
			if ip, fam, ok := parseIP(f.str); ok {
				f.ip, f.ipFam = ip, fam
			}
		}
		p.add(f)
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		raw, err := s.number()
		if err != nil {
			return err
		}
		f := field{kind: jNumber, str: raw}
		f.num, f.numOK = parseNumber(raw)
		p.add(f)
		return nil
	default:
		k, err := s.literal()
		if err != nil {
			return err
		}
		p.add(field{kind: k, str: k.String()})
		return nil
	}
}

func (p *eventParser) add(f field) {
	f.path = string(p.path)
	f.mStart = int32(len(p.ev.members))
	p.ev.members = append(p.ev.members, p.stack...)
	f.mEnd = int32(len(p.ev.members))
	p.ev.fields = append(p.ev.fields, f)
}
