;; Oversold Bounce: buy the most oversold of a few growth funds after a sharp two-day
;; sell-off inside an uptrend; otherwise stand aside in the core, or hold nothing from this
;; branch so the core takes its place. Original Alchemiser strategy.
(defsymphony
 "Oversold Bounce"
 {:asset-class "EQUITIES", :rebalance-frequency :daily}
 (weight-specified
  0.4
  (if
   (and
    (<= (rsi "SPY" {:window 2}) 10)
    (>= (current-price "SPY") (moving-average-price "SPY" {:window 100})))
   [(filter
     (rsi {:window 5})
     (select-bottom 2)
     [(asset "TQQQ" "ProShares UltraPro QQQ")
      (asset "XLK" "Technology Select Sector SPDR Fund")
      (asset "SOXX" "iShares Semiconductor ETF")
      (asset "QQQ" "Invesco QQQ Trust")])]
   [(empty)])
  0.6
  (weight-equal
   [(asset "SPY" "SPDR S&P 500 ETF Trust")
    (asset "IEF" "iShares 7-10 Year Treasury Bond ETF")])))
