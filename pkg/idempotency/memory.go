package idempotency

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Memory is a Store in process memory, for tests and single-process runs. Expired keys are
// replaced when claimed again, swept every sweepEvery claims, and removed by Sweep.
type Memory struct {
	mu     sync.Mutex
	keys   map[string]memEntry
	claims int
}

// sweepEvery is how many claims pass between sweeps of expired keys, so a long-running process
// does not grow without bound.
const sweepEvery = 4096

type memEntry struct {
	owner string
	done  bool
	until time.Time // lease end while in progress; retention end when done
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory Store.
func NewMemory() *Memory { return &Memory{keys: map[string]memEntry{}} }

// Claim implements Store.
func (m *Memory) Claim(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (ClaimResult, error) {
	if err := checkArgs("claim", key, owner, lease); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("claim %s: %w", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claims++; m.claims%sweepEvery == 0 {
		m.sweep(now)
	}
	if e, ok := m.keys[key]; ok && now.Before(e.until) {
		if e.done {
			return Done, nil
		}
		return InProgress, nil
	}
	m.keys[key] = memEntry{owner: owner, until: now.Add(lease)}
	return Acquired, nil
}

// Complete implements Store.
func (m *Memory) Complete(ctx context.Context, key, owner string, now time.Time, retain time.Duration) error {
	if err := checkArgs("complete", key, owner, retain); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[key]
	if !ok || e.done || e.owner != owner {
		return fmt.Errorf("complete %s: %w", key, ErrNotOwner)
	}
	m.keys[key] = memEntry{owner: owner, done: true, until: now.Add(retain)}
	return nil
}

// Release implements Store.
func (m *Memory) Release(ctx context.Context, key, owner string) error {
	if err := checkArgs("release", key, owner, 1); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.keys[key]
	if !ok || e.done || e.owner != owner {
		return fmt.Errorf("release %s: %w", key, ErrNotOwner)
	}
	delete(m.keys, key)
	return nil
}

// Sweep removes every key whose lease or retention ended before now, and returns how many.
func (m *Memory) Sweep(now time.Time) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sweep(now)
}

func (m *Memory) sweep(now time.Time) int {
	n := 0
	for k, e := range m.keys {
		if !now.Before(e.until) {
			delete(m.keys, k)
			n++
		}
	}
	return n
}

// Len returns the number of keys held, expired or not.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
