package symphony

import (
	"fmt"
	"unicode/utf8"
)

// Pos is a position in a source file: its name, and the 1-based line and column (in characters).
type Pos struct {
	File string
	Line int
	Col  int
}

// String prints the position as file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is a problem in a symphony file, at a position. Parse and compile errors are all of
// this type; it is never worth retrying.
type Error struct {
	Pos Pos
	Msg string
}

// Error prints file:line:col: message.
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// at is a compact line and column inside the file being parsed; Parse adds the file name.
type at struct{ line, col int32 }

func errAt(p at, format string, args ...any) *Error {
	return &Error{Pos: Pos{Line: int(p.line), Col: int(p.col)}, Msg: fmt.Sprintf(format, args...)}
}

// formKind is the kind of an EDN form.
type formKind uint8

const (
	fList formKind = iota
	fVector
	fMap
	fString
	fNumber
	fKeyword
	fSymbol
)

// String names the kind for error messages.
func (k formKind) String() string {
	switch k {
	case fList:
		return "list"
	case fVector:
		return "vector"
	case fMap:
		return "map"
	case fString:
		return "string"
	case fNumber:
		return "number"
	case fKeyword:
		return "keyword"
	default:
		return "symbol"
	}
}

// form is one EDN value. For a map, items alternate key and value.
type form struct {
	kind  formKind
	pos   at
	text  string // string contents, number literal, keyword name (without ':'), symbol name
	items []form
}

// describe names a form for an error message.
func (f form) describe() string {
	switch f.kind {
	case fString:
		return fmt.Sprintf("string %q", truncate(f.text))
	case fNumber:
		return "number " + f.text
	case fKeyword:
		return ":" + f.text
	case fSymbol:
		return "symbol " + f.text
	case fList:
		if len(f.items) > 0 && f.items[0].kind == fSymbol {
			return "(" + f.items[0].text + " ...)"
		}
		return "a list"
	default:
		return "a " + f.kind.String()
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

// reader reads the EDN subset of Composer exports: lists, vectors, maps, strings, numbers,
// keywords, symbols, ';' comments, and commas as whitespace.
type reader struct {
	src    []byte
	off    int
	line   int32
	col    int32
	intern map[string]string // each distinct token or string is allocated once
	stack  []form            // items of the open sequences, copied out exactly sized on close
}

// readForms reads every top-level form of src.
func readForms(src []byte) ([]form, error) {
	r := &reader{src: src, line: 1, col: 1, intern: map[string]string{}}
	var out []form
	for {
		r.skipSpace()
		if r.off >= len(r.src) {
			return out, nil
		}
		f, err := r.read(0)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
}

func (r *reader) pos() at { return at{r.line, r.col} }

// advance moves past one byte, tracking line and column by characters.
func (r *reader) advance() {
	b := r.src[r.off]
	r.off++
	switch {
	case b == '\n':
		r.line++
		r.col = 1
	case b < utf8.RuneSelf || utf8.RuneStart(b):
		r.col++
	}
}

func (r *reader) skipSpace() {
	for r.off < len(r.src) {
		b := r.src[r.off]
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ',' || b == '\f':
			r.advance()
		case b == ';':
			for r.off < len(r.src) && r.src[r.off] != '\n' {
				r.advance()
			}
		default:
			return
		}
	}
}

func (r *reader) read(depth int) (form, error) {
	if depth > maxDepth {
		return form{}, errAt(r.pos(), "nesting deeper than %d levels", maxDepth)
	}
	p := r.pos()
	b := r.src[r.off]
	switch b {
	case '(':
		return r.readSeq(depth, fList, ')', p)
	case '[':
		return r.readSeq(depth, fVector, ']', p)
	case '{':
		f, err := r.readSeq(depth, fMap, '}', p)
		if err != nil {
			return f, err
		}
		if len(f.items)%2 != 0 {
			return form{}, errAt(p, "map has a key without a value: expected an even number of forms between { and }")
		}
		return f, nil
	case ')', ']', '}':
		return form{}, errAt(p, "unexpected %q: no open bracket to close", b)
	case '"':
		return r.readString(p)
	case ':':
		r.advance()
		tok := r.token()
		if tok == "" {
			return form{}, errAt(p, "expected a keyword name after ':'")
		}
		return form{kind: fKeyword, pos: p, text: tok}, nil
	case '#', '\'', '`', '~', '@', '^', '\\':
		return form{}, errAt(p, "unexpected %q: expected a list, vector, map, string, number, keyword or symbol", b)
	}
	tok := r.token()
	if tok == "" {
		_, size := utf8.DecodeRune(r.src[r.off:])
		return form{}, errAt(p, "unexpected character %q", string(r.src[r.off:r.off+size]))
	}
	if isNumberStart(tok) {
		if !validNumber(tok) {
			return form{}, errAt(p, "malformed number %q: expected digits with an optional sign, decimal point and exponent", truncate(tok))
		}
		return form{kind: fNumber, pos: p, text: tok}, nil
	}
	return form{kind: fSymbol, pos: p, text: tok}, nil
}

func (r *reader) readSeq(depth int, kind formKind, closer byte, p at) (form, error) {
	r.advance()
	f := form{kind: kind, pos: p}
	base := len(r.stack)
	for {
		r.skipSpace()
		if r.off >= len(r.src) {
			return form{}, errAt(p, "unclosed %s: expected %q before end of file", kind, closer)
		}
		c := r.src[r.off]
		if c == closer {
			r.advance()
			if n := len(r.stack) - base; n > 0 {
				f.items = make([]form, n)
				copy(f.items, r.stack[base:])
				clear(r.stack[base:])
				r.stack = r.stack[:base]
			}
			return f, nil
		}
		if c == ')' || c == ']' || c == '}' {
			return form{}, errAt(r.pos(), "expected %q to close the %s opened at %d:%d, found %q", closer, kind, p.line, p.col, c)
		}
		item, err := r.read(depth + 1)
		if err != nil {
			return form{}, err
		}
		r.stack = append(r.stack, item)
	}
}

func (r *reader) readString(p at) (form, error) {
	r.advance()
	// Fast path: no escapes and no newlines before the closing quote.
	for i := r.off; i < len(r.src); i++ {
		c := r.src[i]
		if c == '"' {
			text := r.str(r.src[r.off:i])
			for r.off <= i {
				r.advance()
			}
			return form{kind: fString, pos: p, text: text}, nil
		}
		if c == '\\' || c == '\n' {
			break
		}
	}
	var buf []byte
	for {
		if r.off >= len(r.src) {
			return form{}, errAt(p, "unterminated string: expected a closing '\"'")
		}
		c := r.src[r.off]
		switch c {
		case '"':
			r.advance()
			return form{kind: fString, pos: p, text: string(buf)}, nil
		case '\\':
			ep := r.pos()
			r.advance()
			if r.off >= len(r.src) {
				return form{}, errAt(p, "unterminated string: expected a closing '\"'")
			}
			e := r.src[r.off]
			switch e {
			case '"', '\\':
				buf = append(buf, e)
			case 'n':
				buf = append(buf, '\n')
			case 't':
				buf = append(buf, '\t')
			case 'r':
				buf = append(buf, '\r')
			default:
				return form{}, errAt(ep, "unknown escape \\%c in string: expected one of \\\" \\\\ \\n \\t \\r", e)
			}
			r.advance()
		default:
			buf = append(buf, c)
			r.advance()
		}
	}
}

// token reads the characters of a symbol, keyword name or number.
func (r *reader) token() string {
	start := r.off
	for r.off < len(r.src) && isTokenByte(r.src[r.off]) {
		r.off++
		r.col++
	}
	return r.str(r.src[start:r.off])
}

// str returns b as a string, interned.
func (r *reader) str(b []byte) string {
	if s, ok := r.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	r.intern[s] = s
	return s
}

func isTokenByte(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	}
	switch b {
	case '*', '+', '!', '-', '_', '?', '<', '>', '=', '/', '.', '&', '%', '$', '\'':
		return true
	}
	return false
}

func isNumberStart(tok string) bool {
	c := tok[0]
	if c >= '0' && c <= '9' {
		return true
	}
	if (c == '-' || c == '+' || c == '.') && len(tok) > 1 {
		d := tok[1]
		return d >= '0' && d <= '9' || (d == '.' && c != '.')
	}
	return false
}

// validNumber accepts [+-]digits[.digits][(e|E)[+-]digits], also "5." and ".5".
func validNumber(s string) bool {
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}
