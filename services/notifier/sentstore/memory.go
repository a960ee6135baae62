package sentstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is an in-memory Store.
type Memory struct {
	mu   sync.Mutex
	recs map[string]Record
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{recs: map[string]Record{}} }

// Claim implements Store.
func (m *Memory) Claim(_ context.Context, key string, now time.Time, lease time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[key]
	switch {
	case r.Sent:
		return fmt.Errorf("claim %s: %w (message %s)", key, ErrSent, r.MessageID)
	case now.Before(r.ClaimedUntil):
		return fmt.Errorf("claim %s: %w", key, ErrClaimed)
	}
	r.Key, r.ClaimedUntil = key, now.Add(lease)
	m.recs[key] = r
	return nil
}

// Complete implements Store.
func (m *Memory) Complete(_ context.Context, key, messageID string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[key]
	r.Key, r.Sent, r.MessageID, r.SentAt, r.ClaimedUntil = key, true, messageID, now, time.Time{}
	m.recs[key] = r
	return nil
}

// Release implements Store.
func (m *Memory) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[key]; ok && !r.Sent {
		r.ClaimedUntil = time.Time{}
		m.recs[key] = r
	}
	return nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	if !ok {
		return Record{}, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	return r, nil
}

// SaveReport implements Store.
func (m *Memory) SaveReport(_ context.Context, key, report string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.recs[key]
	r.Key, r.Report = key, report
	m.recs[key] = r
	return nil
}
