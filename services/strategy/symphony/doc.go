// Package symphony reads Composer "symphony" exports (.clj files) and evaluates them on daily
// closes: the parser, the static analysis, the indicators and the evaluator that both the live
// strategy service and the backtester run. The package is pure: no I/O, no clock, no logging;
// the evaluation date and the closes are passed in.
//
// # Reading
//
// Parse reads the EDN subset that Composer exports use: lists (...), vectors [...], maps {...}
// with keyword keys, strings with the escapes \" \\ \n \t \r, integers and decimals (with a sign
// and an exponent), keywords, symbols (nil among them), ';' comments, and commas as whitespace.
// Every error is an *Error with the file, line and column (columns count characters), and says
// what was expected: an unknown operator, a wrong argument count, a missing else-branch, a bad
// window, a weight that is not a number, an unclosed bracket, and so on. Nesting deeper than
// 1000 levels is refused rather than risk the stack.
//
// # Language
//
//	(defsymphony "Name" {:rebalance-frequency :daily :rebalance-threshold 0.05} body)
//
// Settings: :rebalance-frequency is one of :daily (the default) :weekly :monthly :quarterly
// :yearly :none; :rebalance-threshold (alias :rebalance-corridor-width) is a fraction in (0, 1).
// Other settings (:asset-class ...) are accepted and ignored. The backtester honours both
// settings; live runs report them.
//
// Allocation operators (a "vector of children" may also be given as bare children):
//
//	(asset "SPY") (asset "SPY" "description") (asset "EQUITIES::SPY//USD" nil)
//	(group "name" [children])             children weighted equally
//	(empty)                               holds nothing; so does an empty vector []
//	(weight-equal [children])             each non-empty child gets 1/n of the weight
//	(weight-specified w1 child1 w2 child2 ...)
//	(weight-inverse-volatility N [children])     alias weight-inverse-vol; N or {:window N}
//	(if condition then-branch else-branch)
//	(filter (indicator {:window N}) (select-top K) [children])     or select-bottom
//
// A branch or group with several children weights them equally. Nested weights are kept:
// (weight-equal [(weight-specified 0.75 A 0.25 B) C]) gives A 0.375, B 0.125, C 0.5.
//
// weight-specified takes a positive number or a percentage string ("60%") per child; the
// weights are normalised by their sum, so 0.6/0.4 and 60/40 mean the same. A weight that is
// zero, negative or not a number is an error.
//
// Conditions: (> a b), (< a b), (>= a b), (<= a b), (= a b), where each side is an indicator
// on a symbol or a number (at least one an indicator), and (and c ...), (or c ...). Two values
// within a relative 1e-9 of each other are equal, so float noise never decides a comparison
// with a round threshold.
//
// # Indicators
//
// An indicator is (name "SYMBOL" {:window N}) or (name "SYMBOL" N); in a filter the symbol is
// left out. The window is always honoured: a whole number from 1 (2 for the standard
// deviations) to 2520. current-price takes no window. Values on returns and drawdowns are in
// percent, like Composer's thresholds: (< (cumulative-return "SPY" 5) -3) means a fall of more
// than 3%. With p the closes and t the evaluation date:
//
//	current-price                     p[t]
//	moving-average-price N            mean of the last N closes
//	exponential-moving-average-price N   seed with the mean of the first N of the last 10N
//	                                  closes, then e = a*p + (1-a)*e, a = 2/(N+1)
//	moving-average-return N           mean of the last N daily returns p[i]/p[i-1]-1, x100
//	cumulative-return N               (p[t]/p[t-N] - 1) x100
//	stdev-return N                    sample standard deviation (divisor N-1) of the last N
//	                                  daily returns, x100, NOT annualised
//	stdev-price N                     sample standard deviation of the last N closes
//	max-drawdown N                    largest fall from a running peak over the last N+1
//	                                  closes, as a positive percent
//	rsi N                             Wilder's RSI over the last 10N+1 closes: the average gain
//	                                  and loss are seeded with the simple mean of the first N
//	                                  changes, then smoothed avg = (avg*(N-1) + x)/N; RSI =
//	                                  100 - 100/(1 + gain/loss); 100 with no losses, 50 with
//	                                  neither gains nor losses
//
// The RSI matches the standard worked example of Wilder's method (the 33-close series in the
// tests). Each value depends only on the closes its lookback covers (Indicator.Lookback), so a
// live evaluation that fetched exactly the lookback and a backtest with years of history give
// the same number. With fewer closes than the lookback but at least the minimum (N+1 for
// returns and RSI, N for prices) the indicator uses what there is; with fewer it is a
// *DataError naming the symbol and the dates needed.
//
// # Groups and simulated series
//
// A filter ranks its children; weight-inverse-volatility weighs them. An asset child is
// measured on its own closes. Any other child (group, if, filter, weighting) is measured on its
// own simulated NAV series: the child is evaluated as of each past day of the indicator's
// lookback, its allocation at a day's close earns the next day's close-to-close return, and the
// series starts at 1 on the first day of the lookback. So a filter over groups ranks the groups,
// not their members. Children that are empty on the day are not ranked. Ties keep the children's
// order. The selected children are weighted equally, in their original order.
// weight-inverse-volatility uses stdev-return N of each child; children with zero volatility
// share the whole weight equally (the limit of 1/vol).
//
// # Static analysis and data
//
// Program.Analyze and Set.Analyze list every symbol with the number of daily closes (ending on
// the evaluation date) it needs, and every indicator. A simulated child adds its indicator's
// lookback to everything beneath it. The caller fetches that many closes for all symbols in one
// bulk request; the Engine memoises indicator values by symbol, indicator and window (and
// simulated series by node), so nothing is computed twice and nothing is fetched during
// evaluation.
//
// # Evaluation date
//
// Engine.Evaluate and Engine.EvaluateSet evaluate on the closes up to and including the as-of
// date; Result.AsOf is the date of the last close seen. A symbol without a close on that date
// uses its latest earlier close. The service (package strategy) decides what a close is: in a
// live run during market hours today's latest trade stands in for today's close, which is how
// Composer's near-close evaluation behaves; outside market hours the last close is used.
//
// # Weights
//
// Inside the evaluator weights are exact decimal fixed point in integer minor units of 10^-15
// (never float64). The output is rounded to 8 decimal places by the largest-remainder method, so
// each Allocation sums to exactly 1 (ties go to the symbol that sorts first). An empty
// Allocation means all cash.
//
// # Several strategies
//
// A Set is a per-stage allocation file (see AllocationFile): strategy files and weights,
// normalised. Under PolicyFail (the default) any failing strategy fails the run, so the system
// never trades on a partial signal; under PolicyRedistribute its weight is shared among the
// others pro rata and the failure is recorded in its StrategyResult. Either way the outcome is
// in the Result, and from there in the SignalGenerated event.
//
// # Traces
//
// Each strategy's Trace lists the decisions on the path taken, with values to two decimals:
//
//	rsi(SPY,10)=82.31 > 79 -> then
//	(stdev-return(SPY,10)=2.08 > 2.5 or cumulative-return(SPY,5)=-5.72 < -5) -> then
//	filter cumulative-return(20) select-top 1: group "Growth"=-1.09, group "Real Assets"=2.39 -> group "Real Assets"
//	weight-inverse-volatility(30): SPY stdev-return=2.21 -> 0.2222, TLT stdev-return=1.70 -> 0.2886
//	[Pod 01: trend] current-price(IWM)=83.78 > moving-average-price(IWM,200)=88.22 -> else
//
// Lines decided inside a group carry the group's name in brackets ("[Outer / Inner]" when
// nested). Only the path taken is traced: decisions made while simulating a group's series for a
// filter are not.
//
// # Choices where Composer's behaviour is not public
//
//   - RSI and EMA read a fixed 10-window lookback rather than all history, so values do not
//     depend on how much history was loaded (live and backtest agree exactly); the remaining
//     influence of the seed is below 0.01%.
//   - stdev-return and stdev-price are sample standard deviations, not annualised: that is what a
//     spreadsheet's STDEV and pandas' default give, which is how users check numbers.
//   - max-drawdown N and the return indicators use N daily changes (N+1 closes), so a window of N
//     means the same span for every return-based indicator.
//   - An empty branch drops out of its parent's weighting and its siblings share the weight;
//     Composer's own advice is to hold BIL instead of nothing. Only if everything is empty is the
//     result all cash.
//   - Price-level indicators on a group (current-price, moving averages, stdev-price) are taken on
//     its simulated NAV series normalised to 1 at the start of the lookback; Composer documents
//     them as not meaningful on groups.
//   - Equality uses a relative tolerance of 1e-9.
//   - A symbol whose close is missing on the as-of date uses its last close (stale prices are
//     better than failing the whole run on one late print).
//   - Unknown settings in the defsymphony map are ignored; unknown operators are errors.
package symphony
