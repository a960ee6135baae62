package symphony

import (
	"github.com/shopspring/decimal"
)

// Frequency is a symphony's :rebalance-frequency.
type Frequency string

// The rebalance frequencies Composer offers.
const (
	Daily     Frequency = "daily"
	Weekly    Frequency = "weekly"
	Monthly   Frequency = "monthly"
	Quarterly Frequency = "quarterly"
	Yearly    Frequency = "yearly"
	Never     Frequency = "none"
)

// Rebalance holds a symphony's rebalance settings. The backtester honours them; live runs
// report them.
type Rebalance struct {
	// Frequency is the calendar cadence; Daily when the file gives none.
	Frequency Frequency
	// Threshold, when HasThreshold, is the drift (a fraction, 0.05 = 5 percentage points of
	// weight) any holding must exceed before a scheduled check trades.
	Threshold    decimal.Decimal
	HasThreshold bool
}

// Program is a compiled symphony: its name, settings and decision tree.
type Program struct {
	// Name is the symphony's name from defsymphony.
	Name string
	// File is the file name it was parsed from.
	File string
	// Rebalance holds the rebalance settings.
	Rebalance Rebalance

	root    *node
	symbols []string // every symbol, sorted
	symtab  []string // every symbol, by program-local index
	nodes   int
}

// Symbols returns every symbol the program holds or reads, sorted.
func (p *Program) Symbols() []string { return append([]string(nil), p.symbols...) }

// Nodes returns the number of operator nodes in the program.
func (p *Program) Nodes() int { return p.nodes }

type nodeKind uint8

const (
	nAsset nodeKind = iota
	nGroup
	nEqual
	nSpecified
	nInvVol
	nIf
	nFilter
	nEmpty
)

// node is one operator of the decision tree.
type node struct {
	kind     nodeKind
	pos      at
	name     string  // asset ticker, group name
	sym      int32   // asset: program-local symbol index
	children []*node // if: then, else
	weights  []units // weight-specified, normalised
	window   int     // weight-inverse-volatility
	cond     *cond   // if
	rank     indicatorRef
	top      bool
	count    int
	sim      bool // ranked or weighted by its own simulated series: memoised per day
}

// label names a node in a trace: a ticker, a group's name, or the operator and its position.
func (n *node) label() string {
	switch n.kind {
	case nAsset:
		return n.name
	case nGroup:
		return "group " + quote(n.name)
	default:
		return n.kindName() + "@" + itoa(int(n.pos.line)) + ":" + itoa(int(n.pos.col))
	}
}

func (n *node) kindName() string {
	switch n.kind {
	case nAsset:
		return "asset"
	case nGroup:
		return "group"
	case nEqual:
		return "weight-equal"
	case nSpecified:
		return "weight-specified"
	case nInvVol:
		return "weight-inverse-volatility"
	case nIf:
		return "if"
	case nFilter:
		return "filter"
	default:
		return "empty"
	}
}

// cond is an if's condition: a comparison, or and/or of conditions.
type cond struct {
	op          string // ">", "<", ">=", "<=", "=", "and", "or"
	pos         at
	left, right operand
	subs        []*cond
}

// operand is one side of a comparison: an indicator or a number.
type operand struct {
	ind *indicatorRef
	num float64
	lit string // the number as written
}

// indicatorRef is an indicator applied to a symbol (empty in a filter's ranking) and a window.
type indicatorRef struct {
	fn     Indicator
	symbol string
	sym    int32 // program-local symbol index
	window int
	pos    at
}

// String prints the reference as in traces: rsi(SPY,10), current-price(SPY), rsi(10).
func (r indicatorRef) String() string {
	if !r.fn.HasWindow() {
		if r.symbol == "" {
			return r.fn.String()
		}
		return r.fn.String() + "(" + r.symbol + ")"
	}
	if r.symbol == "" {
		return r.fn.String() + "(" + itoa(r.window) + ")"
	}
	return r.fn.String() + "(" + r.symbol + "," + itoa(r.window) + ")"
}
