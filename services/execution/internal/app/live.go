package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/execution/internal/domain"
)

// item is one plan item being traded: its orders, one per leg, in leg order.
type item struct {
	it   domain.Item
	legs []domain.Order
	// firstAt is when the item's first leg was placed (or found), on the app clock.
	firstAt time.Time
	// next is the leg to place once the current leg is final; -1 when none.
	next int
}

func (m *item) key(leg int) domain.OrderKey {
	return domain.OrderKey{Symbol: m.it.Symbol, Side: m.it.Side, Leg: leg}
}

func (m *item) current() *domain.Order {
	if len(m.legs) == 0 {
		return nil
	}
	return &m.legs[len(m.legs)-1]
}

func (m *item) filled() decimal.Decimal {
	f := decimal.Zero
	for _, o := range m.legs {
		f = f.Add(o.FilledQty)
	}
	return f
}

// remaining is the quantity still to trade, for items sized in shares.
func (m *item) remaining() decimal.Decimal { return m.it.Qty.Sub(m.filled()) }

func (m *item) done() bool {
	c := m.current()
	return c != nil && c.Status.Terminal() && m.next < 0
}

// live is one live run.
type live struct {
	e   *Executor
	tag string
	// since bounds the order lookups (broker time).
	since time.Time
	// started is when the run started, in broker time: the stream replays updates from then.
	started time.Time
	// watch starts the trade-updates stream; nil once started or when there is none.
	watch func()

	mu      sync.Mutex
	pushed  []domain.Order
	changed chan struct{}

	byCID map[string]*item
}

func (e *Executor) live(ctx context.Context, tag string, plan domain.Plan, started time.Time) (domain.Report, error) {
	deadline := e.deadline(ctx)
	if !deadline.After(e.clock.Now()) {
		// Less time than the safety margin: placing orders now would mean cancelling them at
		// once. A retry (with a fresh Lambda timeout) does better.
		return domain.Report{}, fmt.Errorf("execute plan %s: %w", plan.ID, ErrNoTime)
	}
	l := &live{e: e, tag: tag, since: started.Add(-lookback), started: started, changed: make(chan struct{}, 1), byCID: map[string]*item{}}
	if e.updates != nil {
		// The stream is started the first time the run waits, not before: market orders in an
		// open market usually fill at once. It replays the updates since the run started, so
		// none is missed.
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		l.watch = func() { go e.updates.Watch(wctx, l.started, l.push) }
	}
	kept, refused := domain.ApplyLimits(plan.Items, e.set.Limits)
	existing, err := e.orders.OrdersWithPrefix(ctx, tag, l.since)
	if err != nil {
		return domain.Report{}, fmt.Errorf("list orders of plan %s: %w", plan.ID, err)
	}
	if err := l.cancelStale(ctx); err != nil {
		return domain.Report{}, err
	}
	sells, buys := domain.Phases(kept)

	sellItems := l.adopt(sells, existing)
	if err := l.placeFirstLegs(ctx, sellItems); err != nil {
		return domain.Report{}, err
	}
	now := e.clock.Now()
	sellUntil := now.Add(min(e.set.PhaseTimeout, deadline.Sub(now)/2))
	if err := l.wait(ctx, sellItems, sellUntil); err != nil {
		return domain.Report{}, err
	}

	buyItems := l.adopt(buys, existing)
	notes, short, err := l.fitBuys(ctx, buyItems, sold(sellItems), deadline)
	if err != nil {
		return domain.Report{}, err
	}
	refused = append(refused, short...)
	buyItems = withoutRefused(buyItems, short)
	if err := l.placeFirstLegs(ctx, buyItems); err != nil {
		return domain.Report{}, err
	}
	now = e.clock.Now()
	if err := l.wait(ctx, buyItems, now.Add(min(e.set.PhaseTimeout, deadline.Sub(now)))); err != nil {
		return domain.Report{}, err
	}

	var results []domain.ItemResult
	for _, m := range append(sellItems, buyItems...) {
		results = append(results, domain.ItemResult{Item: m.it, Legs: m.legs})
	}
	for _, r := range refused {
		results = append(results, domain.ItemResult{Item: r.Item, ClientOrderID: domain.ClientOrderID(tag, domain.OrderKey{Symbol: r.Item.Symbol, Side: r.Item.Side}), Refused: r.Reason})
	}
	outcome, reason := domain.Summarise(results, notes...)
	return domain.Report{Outcome: outcome, Reason: reason, Orders: domain.Orders(results)}, nil
}

// push receives a streamed update; the run's loop applies it.
func (l *live) push(o domain.Order) {
	l.mu.Lock()
	l.pushed = append(l.pushed, o)
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// applyPushed merges the streamed updates into the run.
func (l *live) applyPushed() {
	l.mu.Lock()
	pushed := l.pushed
	l.pushed = nil
	l.mu.Unlock()
	for _, o := range pushed {
		l.merge(o)
	}
}

// merge records a newer state of one of the run's orders; others are ignored.
func (l *live) merge(o domain.Order) {
	m, ok := l.byCID[o.ClientOrderID]
	if !ok {
		return
	}
	for i := range m.legs {
		if m.legs[i].ClientOrderID == o.ClientOrderID && o.Newer(m.legs[i]) {
			m.legs[i] = o
		}
	}
}

// cancelStale cancels this system's open orders of other plans; orders without the prefix
// are never touched.
func (l *live) cancelStale(ctx context.Context) error {
	open, err := l.e.orders.OpenOrders(ctx)
	if err != nil {
		return fmt.Errorf("list open orders: %w", err)
	}
	for _, o := range open {
		if !domain.IsOwn(l.e.set.Prefix, o.ClientOrderID) || domain.IsOwn(l.tag, o.ClientOrderID) {
			continue
		}
		if err := l.e.desk.CancelOrder(ctx, o.BrokerOrderID); err != nil && !isGone(err) {
			return fmt.Errorf("cancel stale order %s: %w", o.ClientOrderID, err)
		}
		l.e.log.InfoContext(ctx, "cancelled stale order", "client_order_id", o.ClientOrderID, "symbol", string(o.Symbol))
	}
	return nil
}

// adopt makes the run's items, each with the orders already placed for it (by an earlier
// delivery of the same plan), found by their client order IDs.
func (l *live) adopt(items []domain.Item, existing []domain.Order) []*item {
	byCID := make(map[string]domain.Order, len(existing))
	for _, o := range existing {
		byCID[o.ClientOrderID] = o
	}
	now := l.e.clock.Now()
	out := make([]*item, 0, len(items))
	for _, it := range items {
		m := &item{it: it, next: -1, firstAt: now}
		for leg := 0; ; leg++ {
			o, ok := byCID[domain.ClientOrderID(l.tag, m.key(leg))]
			if !ok {
				break
			}
			m.legs = append(m.legs, o)
			l.byCID[o.ClientOrderID] = m
		}
		if c := m.current(); c != nil && l.smart(m) && c.Status == domain.StatusCanceled && len(m.legs) <= domain.LegMarket && m.remaining().IsPositive() {
			m.next = len(m.legs) // cancelled for a re-peg, and the run stopped before the next leg
		}
		out = append(out, m)
	}
	return out
}

// smart reports whether the item trades as a smart limit order.
func (l *live) smart(m *item) bool {
	return l.e.set.Policy == PolicySmartLimit && m.it.WholeShares()
}

func sold(items []*item) bool {
	for _, m := range items {
		if m.filled().IsPositive() {
			return true
		}
	}
	return false
}

func withoutRefused(items []*item, refused []domain.Refusal) []*item {
	if len(refused) == 0 {
		return items
	}
	gone := map[market.Symbol]bool{}
	for _, r := range refused {
		gone[r.Item.Symbol] = true
	}
	var out []*item
	for _, m := range items {
		if !gone[m.it.Symbol] || len(m.legs) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// fitBuys scales the buys not yet placed to the buying power, waiting first for the buying
// power to settle when the sells freed cash and the buys do not fit yet.
func (l *live) fitBuys(ctx context.Context, items []*item, soldSomething bool, deadline time.Time) (notes []string, refused []domain.Refusal, err error) {
	var todo []*item
	for _, m := range items {
		if len(m.legs) == 0 {
			todo = append(todo, m)
		}
	}
	if len(todo) == 0 {
		return nil, nil, nil
	}
	plain := make([]domain.Item, len(todo))
	for i, m := range todo {
		plain[i] = m.it
	}
	prices := map[market.Symbol]decimal.Decimal{}
	if q, err := l.e.market.Quotes(ctx, symbols(plain)); err == nil {
		prices = askPrices(q)
	} else {
		l.e.log.WarnContext(ctx, "no quotes to size the buys; using the plan's prices", "error", err)
	}
	acct, err := l.e.market.Account(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("read account: %w", err)
	}
	scaled, factor, refused := domain.ScaleBuys(plain, prices, acct.Spendable(), l.e.set.BuyBuffer)
	if factor.LessThan(decimal.NewFromInt(1)) && soldSomething {
		acct, err = l.settle(ctx, acct, earliest(l.e.clock.Now().Add(l.e.set.SettleTimeout), deadline))
		if err != nil {
			return nil, nil, err
		}
		scaled, factor, refused = domain.ScaleBuys(plain, prices, acct.Spendable(), l.e.set.BuyBuffer)
	}
	if factor.LessThan(decimal.NewFromInt(1)) {
		notes = append(notes, fmt.Sprintf("buys scaled to %s%% of the plan: $%s to spend", factor.Mul(decimal.NewFromInt(100)).StringFixed(1), acct.Spendable().StringFixed(2)))
	}
	bySym := map[market.Symbol]domain.Item{}
	for _, it := range scaled {
		bySym[it.Symbol] = it
	}
	for _, m := range todo {
		if s, ok := bySym[m.it.Symbol]; ok {
			m.it = s
		}
	}
	return notes, refused, nil
}

// settle polls the account until its spendable cash stops changing or until passes.
func (l *live) settle(ctx context.Context, acct domain.Account, until time.Time) (domain.Account, error) {
	for {
		now := l.e.clock.Now()
		if !now.Before(until) {
			return acct, nil
		}
		select {
		case <-ctx.Done():
			return acct, fmt.Errorf("wait for buying power: %w", ctx.Err())
		case <-l.e.clock.After(min(l.e.set.PollInterval, until.Sub(now))):
		}
		cur, err := l.e.market.Account(ctx)
		if err != nil {
			return acct, fmt.Errorf("read account: %w", err)
		}
		if cur.Spendable().Equal(acct.Spendable()) {
			return cur, nil
		}
		acct = cur
	}
}

// placeFirstLegs places the first leg of every item that has no order yet.
func (l *live) placeFirstLegs(ctx context.Context, items []*item) error {
	var quotes map[market.Symbol]domain.Quote
	if l.e.set.Policy == PolicySmartLimit {
		var syms []market.Symbol
		for _, m := range items {
			if len(m.legs) == 0 && l.smart(m) {
				syms = append(syms, m.it.Symbol)
			}
		}
		if len(syms) > 0 {
			q, err := l.e.market.Quotes(ctx, syms)
			if err != nil {
				l.e.log.WarnContext(ctx, "no quotes for limit prices; sending market orders", "error", err)
			}
			quotes = q
		}
	}
	for _, m := range items {
		if len(m.legs) > 0 {
			continue
		}
		if err := l.place(ctx, m, 0, quotes[m.it.Symbol]); err != nil {
			return err
		}
	}
	return nil
}

// place sends leg leg of item m. A duplicate client order ID means an earlier delivery placed
// it: the order is looked up and adopted. A refusal is recorded as a rejected order.
func (l *live) place(ctx context.Context, m *item, leg int, q domain.Quote) error {
	cid := domain.ClientOrderID(l.tag, m.key(leg))
	req := domain.OrderRequest{ClientOrderID: cid, Symbol: m.it.Symbol, Side: m.it.Side, Type: domain.Market}
	if m.it.ByQty() {
		req.Qty = m.remaining()
	} else {
		req.Notional = m.it.Notional
	}
	if l.smart(m) && req.Qty.Equal(req.Qty.Truncate(0)) {
		var price decimal.Decimal
		ok := false
		switch leg {
		case domain.LegInside:
			price, ok = l.e.set.Smart.InsidePrice(m.it.Side, q)
		case domain.LegFar:
			price, ok = domain.FarPrice(m.it.Side, q)
		}
		if ok {
			req.Type, req.LimitPrice = domain.Limit, price
		}
	}
	o, err := l.e.desk.PlaceOrder(ctx, req)
	if errors.Is(err, ErrDuplicate) {
		o, err = l.e.orders.OrderByClientID(ctx, cid)
	}
	var rej *RejectedError
	switch {
	case errors.As(err, &rej):
		o = domain.Order{ClientOrderID: cid, Symbol: req.Symbol, Side: req.Side, Type: req.Type, Qty: req.Qty,
			Notional: req.Notional, LimitPrice: req.LimitPrice, Status: domain.StatusRejected, Error: rej.Message}
	case err != nil:
		return fmt.Errorf("place order %s: %w", cid, err)
	}
	if leg == 0 {
		m.firstAt = l.e.clock.Now()
	}
	m.legs = append(m.legs, o)
	l.byCID[cid] = m
	return nil
}

// wait drives the items until every one is final or until passes; then it cancels what is
// still open.
func (l *live) wait(ctx context.Context, items []*item, until time.Time) error {
	for {
		l.applyPushed()
		if err := l.advance(ctx, items); err != nil {
			return err
		}
		if allDone(items) {
			return nil
		}
		now := l.e.clock.Now()
		if !now.Before(until) {
			return l.expire(ctx, items)
		}
		if err := l.sleep(ctx, min(l.e.set.PollInterval, until.Sub(now))); err != nil {
			return err
		}
	}
}

// startWatching starts the trade-updates stream once.
func (l *live) startWatching() {
	if l.watch != nil {
		l.watch()
		l.watch = nil
	}
}

// sleep waits for a streamed update or d, whichever is first; after d it polls.
func (l *live) sleep(ctx context.Context, d time.Duration) error {
	l.startWatching()
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait for fills: %w", ctx.Err())
	case <-l.changed:
		return nil
	case <-l.e.clock.After(d):
	}
	orders, err := l.e.orders.OrdersWithPrefix(ctx, l.tag, l.since)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("wait for fills: %w", ctx.Err())
		}
		l.e.log.WarnContext(ctx, "poll orders", "error", err) // the stream or the next poll will do
		return nil
	}
	for _, o := range orders {
		l.merge(o)
	}
	return nil
}

func allDone(items []*item) bool {
	for _, m := range items {
		if !m.done() {
			return false
		}
	}
	return true
}

// advance moves smart limit items on: it cancels a leg that waited too long and places the
// next leg once the cancelled one is final.
func (l *live) advance(ctx context.Context, items []*item) error {
	now := l.e.clock.Now()
	for _, m := range items {
		c := m.current()
		if c == nil {
			continue
		}
		if m.next >= 0 {
			if !c.Status.Terminal() {
				continue
			}
			next := m.next
			m.next = -1
			if c.Status == domain.StatusFilled || !m.remaining().IsPositive() {
				continue
			}
			var q domain.Quote
			if next == domain.LegFar {
				qs, err := l.e.market.Quotes(ctx, []market.Symbol{m.it.Symbol})
				if err != nil {
					l.e.log.WarnContext(ctx, "no quote to re-peg; sending a market order", "symbol", string(m.it.Symbol), "error", err)
				}
				q = qs[m.it.Symbol]
			}
			if err := l.place(ctx, m, next, q); err != nil {
				return err
			}
			continue
		}
		if !l.smart(m) || c.Type != domain.Limit || c.Status.Terminal() {
			continue
		}
		step := l.e.set.Smart.Next(len(m.legs)-1, now.Sub(m.firstAt))
		if step == domain.Wait {
			continue
		}
		if err := l.e.desk.CancelOrder(ctx, c.BrokerOrderID); err != nil && !isGone(err) {
			return fmt.Errorf("cancel order %s to re-peg: %w", c.ClientOrderID, err)
		}
		m.next = domain.LegMarket
		if step == domain.Repeg {
			m.next = domain.LegFar
		}
	}
	return nil
}

// expire cancels every open order of the items after their phase timed out, and waits a
// little for the cancels to show, so the report says what was filled.
func (l *live) expire(ctx context.Context, items []*item) error {
	for _, m := range items {
		m.next = -1
		c := m.current()
		if c == nil || c.Status.Terminal() {
			continue
		}
		if err := l.e.desk.CancelOrder(ctx, c.BrokerOrderID); err != nil && !isGone(err) {
			l.e.log.WarnContext(ctx, "cancel order after timeout", "client_order_id", c.ClientOrderID, "error", err)
		}
	}
	grace := l.e.set.CancelGrace
	if m := l.e.set.SafetyMargin / 2; m > 0 && m < grace {
		grace = m // the cancels must show before the Lambda deadline, with time left to publish
	}
	until := l.e.clock.Now().Add(grace)
	for {
		l.applyPushed()
		if allDone(items) {
			return nil
		}
		now := l.e.clock.Now()
		if !now.Before(until) {
			return nil
		}
		if err := l.sleep(ctx, min(l.e.set.PollInterval, until.Sub(now))); err != nil {
			return err
		}
	}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
