package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
)

// Memory is an in-memory Store for tests and single-process use.
type Memory struct {
	mu   sync.Mutex
	recs map[string][]byte // JSON, so callers never share memory with the store
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{recs: map[string][]byte{}} }

// Create implements Store.
func (m *Memory) Create(_ context.Context, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.recs[r.CorrelationID]; ok {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, ErrConflict)
	}
	r.Version = 1
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	}
	m.recs[r.CorrelationID] = b
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, id string) (Record, error) {
	m.mu.Lock()
	b, ok := m.recs[id]
	m.mu.Unlock()
	if !ok {
		return Record{}, fmt.Errorf("get workflow %s: %w", id, ErrNotFound)
	}
	return decode(id, b)
}

// Update implements Store.
func (m *Memory) Update(_ context.Context, r Record) (Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.recs[r.CorrelationID]
	if !ok {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, ErrNotFound)
	}
	cur, err := decode(r.CorrelationID, b)
	if err != nil {
		return Record{}, err
	}
	if cur.Version != r.Version {
		return Record{}, fmt.Errorf("update workflow %s at version %d (stored %d): %w", r.CorrelationID, r.Version, cur.Version, ErrConflict)
	}
	r.Version++
	nb, err := json.Marshal(r)
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	m.recs[r.CorrelationID] = nb
	return decode(r.CorrelationID, nb)
}

// List implements Store.
func (m *Memory) List(_ context.Context, f Filter) ([]Record, error) {
	m.mu.Lock()
	all := make([][]byte, 0, len(m.recs))
	for _, b := range m.recs {
		all = append(all, b)
	}
	m.mu.Unlock()
	var out []Record
	for _, b := range all {
		r, err := decode("", b)
		if err != nil {
			return nil, err
		}
		if f.Match(r) {
			out = append(out, r)
		}
	}
	sortNewest(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func sortNewest(rs []Record) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].StartedAt.Equal(rs[j].StartedAt) {
			return rs[i].StartedAt.After(rs[j].StartedAt)
		}
		return rs[i].CorrelationID < rs[j].CorrelationID
	})
}

func decode(id string, b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("decode workflow %s: %w", id, err)
	}
	return r, nil
}
