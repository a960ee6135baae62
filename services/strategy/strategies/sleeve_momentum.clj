;; Sleeve Momentum: three sleeves compete on their own simulated returns; the sleeve with
;; the best month wins. Each sleeve decides its own holdings. Original Alchemiser strategy.
(defsymphony
 "Sleeve Momentum"
 {:asset-class "EQUITIES", :rebalance-frequency :weekly}
 (weight-equal
  [(filter
    (cumulative-return {:window 20})
    (select-top 1)
    [(group
      "Growth"
      [(if
        (> (moving-average-return "QQQ" {:window 10}) 0)
        [(weight-specified
          0.75
          (asset "QQQ" "Invesco QQQ Trust")
          0.25
          (asset "XLK" "Technology Select Sector SPDR Fund"))]
        [(asset "SPY" "SPDR S&P 500 ETF Trust")])])
     (group
      "Duration"
      [(weight-equal
        [(asset "TLT" "iShares 20+ Year Treasury Bond ETF")
         (asset "IEF" "iShares 7-10 Year Treasury Bond ETF")])])
     (group
      "Real Assets"
      [(filter
        (stdev-return {:window 20})
        (select-bottom 1)
        [(asset "GLD" "SPDR Gold Shares")
         (asset "XLE" "Energy Select Sector SPDR Fund")])])])]))
