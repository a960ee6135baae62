// Package groupcommit batches many small SQLite writes into one transaction, so that a durable
// store keeps up with thousands of writes per second: every caller waits for the commit that
// carries its write, and one commit carries the writes of all callers that arrived meanwhile.
package groupcommit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned for writes submitted after Close.
var ErrClosed = errors.New("groupcommit: closed")

// Tx is the transaction a write runs in. Statements are prepared once per query text and reused.
type Tx struct {
	ctx   context.Context
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	db    *sql.DB
}

// Exec runs query with args inside the batch's transaction.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	st, ok := t.stmts[query]
	if !ok {
		var err error
		st, err = t.db.PrepareContext(t.ctx, query)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", query, err)
		}
		t.stmts[query] = st
	}
	return t.tx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
}

// QueryRow runs a query that returns one row inside the batch's transaction.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Query runs a query inside the batch's transaction.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

type op struct {
	fn    func(*Tx) error
	done  chan error  // Do: receives the result
	onErr func(error) // Go: called (on the committer's goroutine) with a failure
}

func (o op) finish(err error) {
	if o.done != nil {
		o.done <- err
	} else if err != nil && o.onErr != nil {
		o.onErr(err)
	}
}

// Committer owns the one writing connection of a database and runs writes in batches.
type Committer struct {
	db      *sql.DB
	conn    *sql.Conn
	ops     chan op
	maxOps  int
	stmts   map[string]*sql.Stmt
	wg      sync.WaitGroup
	mu      sync.RWMutex
	closed  bool
	stopped chan struct{}
}

// New takes one connection from db for writing (with a WAL checkpoint every 8,192 pages) and
// starts the batching loop. maxBatch bounds
// the writes per transaction (0 means 512).
func New(ctx context.Context, db *sql.DB, maxBatch int) (*Committer, error) {
	if maxBatch <= 0 {
		maxBatch = 512
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take writer connection: %w", err)
	}
	// Big batches rewrite the same pages often: checkpoint less often than every 1,000 pages, so
	// that a page is copied to the database file once for many commits.
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_autocheckpoint=8192"); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("configure writer connection: %w", err)
	}
	c := &Committer{db: db, conn: conn, ops: make(chan op, 4096), maxOps: maxBatch, stmts: map[string]*sql.Stmt{}, stopped: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c, nil
}

// Do runs fn in the next batch and returns once that batch is committed. An error from fn rolls
// back fn's own writes only and is returned: a batch in which a write fails is rolled back and
// its writes are run again one transaction each.
func (c *Committer) Do(ctx context.Context, fn func(*Tx) error) error {
	done := make(chan error, 1)
	if err := c.submit(op{fn: fn, done: done}); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Go runs fn in the next batch without waiting for the commit. Errors are passed to onErr, if
// not nil, on the committer's goroutine: onErr must not block.
func (c *Committer) Go(fn func(*Tx) error, onErr func(error)) {
	if err := c.submit(op{fn: fn, onErr: onErr}); err != nil && onErr != nil {
		onErr(err)
	}
}

func (c *Committer) submit(o op) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return ErrClosed
	}
	c.ops <- o
	return nil
}

// Close stops accepting writes, commits what is queued and releases the connection.
func (c *Committer) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.ops)
	c.mu.Unlock()
	c.wg.Wait()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	return c.conn.Close()
}

func (c *Committer) loop() {
	defer c.wg.Done()
	batch := make([]op, 0, c.maxOps)
	for first := range c.ops {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < c.maxOps {
			select {
			case o, ok := <-c.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		c.run(batch)
	}
}

func (c *Committer) run(batch []op) {
	if len(batch) == 1 {
		batch[0].finish(c.runTx(batch))
		return
	}
	if err := c.runTx(batch); err != nil {
		// One write failed (or the commit did): run each alone, so that only the failing one fails.
		for _, o := range batch {
			o.finish(c.runTx([]op{o}))
		}
		return
	}
	for _, o := range batch {
		o.finish(nil)
	}
}

// runTx runs ops in one transaction and commits it, or rolls it back at the first error.
func (c *Committer) runTx(ops []op) error {
	ctx := context.Background()
	tx, err := c.conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin batch: %w", err)
	}
	t := &Tx{ctx: ctx, tx: tx, stmts: c.stmts, db: c.db}
	for _, o := range ops {
		if err := o.fn(t); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	return nil
}
