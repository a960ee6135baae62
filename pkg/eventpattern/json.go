package eventpattern

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jkind is the kind of a JSON value.
type jkind uint8

const (
	jNull jkind = iota
	jTrue
	jFalse
	jNumber
	jString
	jObject
	jArray
)

func (k jkind) String() string {
	switch k {
	case jNull:
		return "null"
	case jTrue:
		return "true"
	case jFalse:
		return "false"
	case jNumber:
		return "number"
	case jString:
		return "string"
	case jObject:
		return "object"
	default:
		return "array"
	}
}

// jnode is a parsed JSON value that keeps what the pattern compiler needs: the raw text of
// numbers, the order and duplicates of object keys, and the byte offset of each value.
type jnode struct {
	kind jkind
	str  string   // unescaped string, or the raw text of a number
	keys []string // object keys, in order (duplicates kept)
	vals []*jnode // object values (parallel to keys) or array elements
	off  int      // byte offset of the value in the input
}

// syntaxError is a malformed-JSON error at a byte offset.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

// scanner is a strict RFC 8259 JSON scanner over a byte slice.
type scanner struct {
	data  []byte
	pos   int
	depth int
	buf   []byte // scratch for unescaping
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

func (s *scanner) errorf(format string, args ...any) error {
	return &syntaxError{msg: fmt.Sprintf(format, args...), off: s.pos}
}

func (s *scanner) skipWS() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// describe names the byte at the current position for error messages.
func (s *scanner) describe() string {
	if s.pos >= len(s.data) {
		return "end of input"
	}
	c := s.data[s.pos]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character '%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// parseTree parses one complete JSON document into a tree.
func parseTree(data []byte) (*jnode, error) {
	s := &scanner{data: data}
	s.skipWS()
	n, err := s.value()
	if err != nil {
		return nil, err
	}
	s.skipWS()
	if s.pos != len(s.data) {
		return nil, s.errorf("unexpected %s after the JSON value", s.describe())
	}
	return n, nil
}

func (s *scanner) value() (*jnode, error) {
	if s.pos >= len(s.data) {
		return nil, s.errorf("unexpected end of input")
	}
	off := s.pos
	switch c := s.data[s.pos]; {
	case c == '{':
		n := &jnode{kind: jObject, off: off}
		empty, err := s.enter('}')
		if err != nil {
			return nil, err
		}
		if empty {
			return n, nil
		}
		for {
			if err := s.key(); err != nil {
				return nil, err
			}
			k, err := s.str()
			if err != nil {
				return nil, err
			}
			if err := s.colon(); err != nil {
				return nil, err
			}
			v, err := s.value()
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, k)
			n.vals = append(n.vals, v)
			more, err := s.more('}', "object")
			if err != nil {
				return nil, err
			}
			if !more {
				return n, nil
			}
		}
	case c == '[':
		n := &jnode{kind: jArray, off: off}
		empty, err := s.enter(']')
		if err != nil {
			return nil, err
		}
		if empty {
			return n, nil
		}
		for {
			s.skipWS()
			v, err := s.value()
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, v)
			more, err := s.more(']', "array")
			if err != nil {
				return nil, err
			}
			if !more {
				return n, nil
			}
		}
	case c == '"':
		v, err := s.str()
		if err != nil {
			return nil, err
		}
		return &jnode{kind: jString, str: v, off: off}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		raw, err := s.number()
		if err != nil {
			return nil, err
		}
		return &jnode{kind: jNumber, str: raw, off: off}, nil
	default:
		k, err := s.literal()
		if err != nil {
			return nil, err
		}
		return &jnode{kind: k, off: off}, nil
	}
}

// skipValue scans past one JSON value, checking its syntax, without building anything.
func (s *scanner) skipValue() error {
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
		for {
			if err := s.key(); err != nil {
				return err
			}
			if err := s.skipString(); err != nil {
				return err
			}
			if err := s.colon(); err != nil {
				return err
			}
			if err := s.skipValue(); err != nil {
				return err
			}
			more, err := s.more('}', "object")
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	case c == '[':
		empty, err := s.enter(']')
		if err != nil {
			return err
		}
		if empty {
			return nil
		}
		for {
			s.skipWS()
			if err := s.skipValue(); err != nil {
				return err
			}
			more, err := s.more(']', "array")
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	case c == '"':
		return s.skipString()
	case c == '-' || (c >= '0' && c <= '9'):
		return s.skipNumber()
	default:
		_, err := s.literal()
		return err
	}
}

// skipString scans past a JSON string, checking its escapes.
func (s *scanner) skipString() error {
	d := s.data
	for i := s.pos + 1; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			s.pos = i + 1
			return nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			s.pos = i
			return s.errorf("control character 0x%02x in string", c)
		}
	}
	_, err := s.strBytes()
	return err
}

// literal scans true, false or null.
func (s *scanner) literal() (jkind, error) {
	rest := s.data[s.pos:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		s.pos += 4
		return jTrue, nil
	case len(rest) >= 5 && string(rest[:5]) == "false":
		s.pos += 5
		return jFalse, nil
	case len(rest) >= 4 && string(rest[:4]) == "null":
		s.pos += 4
		return jNull, nil
	}
	return 0, s.errorf("unexpected %s, expected a JSON value", s.describe())
}

// number scans a JSON number and returns its raw text.
func (s *scanner) number() (string, error) {
	start := s.pos
	if err := s.skipNumber(); err != nil {
		return "", err
	}
	return string(s.data[start:s.pos]), nil
}

// skipNumber scans past a JSON number.
func (s *scanner) skipNumber() error {
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	if i >= len(d) {
		s.pos = i
		return s.errorf("malformed number")
	}
	switch {
	case d[i] == '0':
		i++
	case d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		s.pos = i
		return s.errorf("malformed number: expected a digit, found %s", s.describe())
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.pos = i
			return s.errorf("malformed number: expected a digit after the decimal point")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			s.pos = i
			return s.errorf("malformed number: expected a digit in the exponent")
		}
	}
	if i < len(d) && (d[i] >= '0' && d[i] <= '9') {
		s.pos = i
		return s.errorf("malformed number: leading zeros are not allowed")
	}
	s.pos = i
	return nil
}

// str scans a JSON string (the current byte is the opening quote) and returns it unescaped.
func (s *scanner) str() (string, error) {
	s.pos++ // opening quote
	start := s.pos
	d := s.data
	// Fast path: no escapes.
	for i := start; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			s.pos = i + 1
			return string(d[start:i]), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			s.pos = i
			return "", s.errorf("control character 0x%02x in string", c)
		}
	}
	b, err := s.strSlow(start)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// strBytes is like str but returns a slice that is valid until the next scan; it avoids
// allocation when the string holds no escapes.
func (s *scanner) strBytes() ([]byte, error) {
	s.pos++
	start := s.pos
	d := s.data
	for i := start; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			s.pos = i + 1
			return d[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			s.pos = i
			return nil, s.errorf("control character 0x%02x in string", c)
		}
	}
	return s.strSlow(start)
}

func (s *scanner) strSlow(start int) ([]byte, error) {
	d := s.data
	b := s.buf[:0]
	i := start
	for {
		if i >= len(d) {
			s.pos = i
			return nil, s.errorf("unterminated string")
		}
		c := d[i]
		switch {
		case c == '"':
			s.pos = i + 1
			s.buf = b
			return b, nil
		case c < 0x20:
			s.pos = i
			return nil, s.errorf("control character 0x%02x in string", c)
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		i++
		if i >= len(d) {
			s.pos = i
			return nil, s.errorf("unterminated string")
		}
		e := d[i]
		i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(d, i)
			if !ok {
				s.pos = i
				return nil, s.errorf("malformed \\u escape in string")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 <= len(d) && d[i] == '\\' && d[i+1] == 'u' {
					if r2, ok := hex4(d, i+2); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							i += 6
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			s.pos = i - 1
			return nil, s.errorf("unrecognized character escape '%c'", e)
		}
	}
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(d[i:i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// The pieces of JSON structure that every reader here (patterns, events, skipped values)
// steps through the same way.

// enter steps into the object or array opening at pos, which close ends. An empty one is
// stepped out of at once and reported as empty.
func (s *scanner) enter(close byte) (empty bool, err error) {
	if s.depth++; s.depth > maxDepth {
		return false, s.errorf("nesting deeper than %d", maxDepth)
	}
	s.pos++
	s.skipWS()
	if s.pos < len(s.data) && s.data[s.pos] == close {
		s.pos++
		s.depth--
		return true, nil
	}
	return false, nil
}

// key checks that a field name in double quotes starts at pos (after white space).
func (s *scanner) key() error {
	s.skipWS()
	if s.pos >= len(s.data) || s.data[s.pos] != '"' {
		return s.errorf("expected a field name in double quotes, found %s", s.describe())
	}
	return nil
}

// colon steps over the ':' after a field name and the white space around it.
func (s *scanner) colon() error {
	s.skipWS()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.errorf("expected ':' after field name, found %s", s.describe())
	}
	s.pos++
	s.skipWS()
	return nil
}

// more steps over what follows a member of an object or array (what): a ',' before the next
// member, reported as true, or close, which steps out and is reported as false.
func (s *scanner) more(close byte, what string) (bool, error) {
	s.skipWS()
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ',':
			s.pos++
			return true, nil
		case close:
			s.pos++
			s.depth--
			return false, nil
		}
	}
	return false, s.errorf("expected ',' or '%c' in %s, found %s", close, what, s.describe())
}
