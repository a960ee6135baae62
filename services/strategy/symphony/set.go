package symphony

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/shopspring/decimal"
)

// Policy says what a failed strategy does to a multi-strategy run.
type Policy string

// The failure policies.
const (
	// PolicyFail fails the whole run, so the system never trades on a partial signal. Default.
	PolicyFail Policy = "fail"
	// PolicyRedistribute shares a failed strategy's weight among the others.
	PolicyRedistribute Policy = "redistribute"
)

// Member is one strategy of a Set with its normalised weight.
type Member struct {
	// Program is the compiled symphony.
	Program *Program
	// Weight is its share of the portfolio; the weights of a Set sum to 1.
	Weight decimal.Decimal
}

// Set is the strategies evaluated together, with weights summing to 1.
type Set struct {
	// Name is the allocation file's name, or the single symphony's file.
	Name string
	// Members are the strategies in file order.
	Members []Member
	// Policy says what a failing strategy does to the run.
	Policy Policy
}

// Single returns a set of one program at full weight.
func Single(p *Program) *Set {
	return &Set{Name: p.File, Members: []Member{{Program: p, Weight: decimal.NewFromInt(1)}}, Policy: PolicyFail}
}

// AllocationFile is the per-stage file that lists strategy files and their weights:
//
//	{
//	  "on_failure": "fail",
//	  "strategies": [
//	    {"file": "trend_guard.clj", "weight": 2},
//	    {"file": "sector_rotation.clj", "weight": 1}
//	  ]
//	}
//
// Weights are positive numbers (or decimal strings) normalised by their sum. on_failure is
// "fail" (the default) or "redistribute". Files are relative to the allocation file.
type AllocationFile struct {
	// Description is free text for readers.
	Description string `json:"description,omitempty"`
	// OnFailure is the failure policy; empty means PolicyFail.
	OnFailure Policy `json:"on_failure,omitempty"`
	// Strategies lists the files and weights.
	Strategies []StrategyFile `json:"strategies"`
}

// StrategyFile is one entry of an AllocationFile.
type StrategyFile struct {
	// File is the .clj file, relative to the allocation file.
	File string `json:"file"`
	// Weight is a positive number or decimal string.
	Weight json.RawMessage `json:"weight"`
}

// ParseAllocation reads an allocation file; name labels errors.
func ParseAllocation(name string, data []byte) (*AllocationFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var af AllocationFile
	if err := dec.Decode(&af); err != nil {
		return nil, fmt.Errorf("parse allocation %s: %w", name, err)
	}
	switch af.OnFailure {
	case "":
		af.OnFailure = PolicyFail
	case PolicyFail, PolicyRedistribute:
	default:
		return nil, fmt.Errorf("parse allocation %s: on_failure: %q is not \"fail\" or \"redistribute\"", name, af.OnFailure)
	}
	if len(af.Strategies) == 0 {
		return nil, fmt.Errorf("parse allocation %s: strategies: empty", name)
	}
	for i, s := range af.Strategies {
		if strings.TrimSpace(s.File) == "" {
			return nil, fmt.Errorf("parse allocation %s: strategies[%d].file: empty", name, i)
		}
		if _, err := s.weight(); err != nil {
			return nil, fmt.Errorf("parse allocation %s: strategies[%d].weight: %w", name, i, err)
		}
	}
	return &af, nil
}

func (s StrategyFile) weight() (decimal.Decimal, error) {
	raw := strings.Trim(strings.TrimSpace(string(s.Weight)), `"`)
	d, err := decimal.NewFromString(raw)
	if err != nil {
		return d, fmt.Errorf("%s is not a number", string(s.Weight))
	}
	if !d.IsPositive() {
		return d, fmt.Errorf("%s is not positive", d)
	}
	return d, nil
}

// LoadSet reads the allocation file at name in fsys and parses every strategy it lists.
func LoadSet(fsys fs.FS, name string) (*Set, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read allocation: %w", err)
	}
	af, err := ParseAllocation(name, data)
	if err != nil {
		return nil, err
	}
	set := &Set{Name: name, Policy: af.OnFailure}
	ws := make([]decimal.Decimal, len(af.Strategies))
	for i, s := range af.Strategies {
		file := path.Join(path.Dir(name), s.File)
		src, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, fmt.Errorf("read strategy: %w", err)
		}
		p, err := Parse(s.File, src)
		if err != nil {
			return nil, err
		}
		ws[i], _ = s.weight()
		set.Members = append(set.Members, Member{Program: p})
	}
	normaliseDecimal(ws)
	for i := range set.Members {
		set.Members[i].Weight = ws[i]
	}
	return set, nil
}
