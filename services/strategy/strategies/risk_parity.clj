;; Inverse-Volatility Core: a balanced core weighted by the inverse of each sleeve's
;; volatility, the commodity sleeve measured on its own simulated returns. Rebalanced
;; monthly, and only when a holding has drifted more than five points.
;; Original Alchemiser strategy.
(defsymphony
 "Inverse-Volatility Core"
 {:asset-class "EQUITIES",
  :rebalance-frequency :monthly,
  :rebalance-threshold 0.05}
 (weight-inverse-volatility
  30
  [(asset "SPY" "SPDR S&P 500 ETF Trust")
   (asset "TLT" "iShares 20+ Year Treasury Bond ETF")
   (asset "GLD" "SPDR Gold Shares")
   (group
    "Real Assets"
    [(weight-specified
      0.6
      (asset "XLE" "Energy Select Sector SPDR Fund")
      0.4
      (asset "DBC" "Invesco DB Commodity Index Tracking Fund"))])]))
