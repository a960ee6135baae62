;; Sector Rotation: own the three sectors with the best average daily return over the last
;; quarter, unless the market is in a drawdown, when a fixed defensive mix takes over.
;; Original Alchemiser strategy.
(defsymphony
 "Sector Rotation"
 {:asset-class "EQUITIES", :rebalance-frequency :weekly}
 (weight-equal
  [(if
    (>= (max-drawdown "SPY" {:window 20}) 8)
    [(group
      "Defensive"
      [(weight-specified
        "50%"
        (asset "XLU" "Utilities Select Sector SPDR Fund")
        "30%"
        (asset "XLP" "Consumer Staples Select Sector SPDR Fund")
        "20%"
        (asset "GLD" "SPDR Gold Shares"))])]
    [(group
      "Leaders"
      [(filter
        (moving-average-return {:window 60})
        (select-top 3)
        [(asset "XLK" "Technology Select Sector SPDR Fund")
         (asset "XLE" "Energy Select Sector SPDR Fund")
         (asset "XLF" "Financial Select Sector SPDR Fund")
         (asset "XLV" "Health Care Select Sector SPDR Fund")
         (asset "XLI" "Industrial Select Sector SPDR Fund")
         (asset "XLY" "Consumer Discretionary Select Sector SPDR Fund")
         (asset "XLB" "Materials Select Sector SPDR Fund")])])])]))
