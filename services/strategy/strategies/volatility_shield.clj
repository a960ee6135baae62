;; Volatility Shield: hold Nasdaq while realised volatility is calm and the fast average is
;; above the slow one; in turbulence hold cash-like bills, gold and a small volatility hedge.
;; Original Alchemiser strategy.
(defsymphony
 "Volatility Shield"
 {:asset-class "EQUITIES", :rebalance-frequency :daily}
 (weight-equal
  [(if
    (or
     (> (stdev-return "SPY" {:window 10}) 2.5)
     (< (cumulative-return "SPY" {:window 5}) -5))
    [(weight-specified
      0.5
      (asset "BIL" "SPDR Bloomberg 1-3 Month T-Bill ETF")
      0.3
      (asset "GLD" "SPDR Gold Shares")
      0.2
      (asset "UVXY" "ProShares Ultra VIX Short-Term Futures ETF"))]
    [(if
      (>
       (exponential-moving-average-price "QQQ" {:window 20})
       (moving-average-price "QQQ" {:window 50}))
      [(if
        (= (rsi "QQQ" {:window 2}) 100)
        [(asset "QQQ" "Invesco QQQ Trust")]
        [(asset "TQQQ" "ProShares UltraPro QQQ")])]
      [(if
        (<= (stdev-price "TLT" {:window 20}) 3)
        [(asset "TLT" "iShares 20+ Year Treasury Bond ETF")]
        [(asset "IEF" "iShares 7-10 Year Treasury Bond ETF")])])])]))
