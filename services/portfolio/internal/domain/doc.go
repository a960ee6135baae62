// Package domain plans a rebalance: it turns a target allocation, the account, the positions,
// the prices and the assets into a Plan of sells, buys and holds.
//
// The package is pure. It does no I/O, reads no clock and logs nothing; every input, including
// the prices, is passed in as a value, so the same Input and Params always give the same Plan.
// All money, quantities, prices and weights are decimals.
//
// The rules, in the order Build applies them:
//
//   - Valuation. The portfolio value is the account equity E. A symbol's target value is
//     weight × E × (1 − reserve). Its current value is quantity × reference price, where the
//     reference price is the quote midpoint, or the last trade when the book is one-sided or
//     crossed. A symbol with no usable price fails planning: it is held, with a note.
//   - Thresholds. The minimum trade is max(MinTradeFraction × E, MinTradeFloor). A symbol whose
//     drift |target value − current value| is below it is held, with the reason. A symbol whose
//     target weight is 0 is sold in full, fractional remainder included, whatever its size.
//   - Quantities. Fractionable assets buy in notional (whole cents) and sell in quantity to 6
//     decimals. Other assets trade whole shares: buys round down, sells round to the quantity
//     that ends closest to the target. No buy is under $1 of notional.
//   - Cash. Sells come first. Buys are paid only from cash + estimated sell proceeds − reserve ×
//     E; when they do not fit they are scaled down pro rata, and when nothing is available they
//     are held. The plan never borrows and never sells more than is held.
package domain
