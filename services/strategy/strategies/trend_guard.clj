;; Trend Guard: hold leveraged Nasdaq only while the S&P 500 is above its 200-day average,
;; step aside into volatility when Nasdaq is overbought, and into the strongest bond fund
;; when the trend breaks. Original Alchemiser strategy.
(defsymphony
 "Trend Guard"
 {:asset-class "EQUITIES", :rebalance-frequency :daily}
 (weight-equal
  [(if
    (>
     (current-price "SPY")
     (moving-average-price "SPY" {:window 200}))
    [(if
      (> (rsi "QQQ" {:window 10}) 79)
      [(asset "UVXY" "ProShares Ultra VIX Short-Term Futures ETF")]
      [(weight-equal
        [(asset "TQQQ" "ProShares UltraPro QQQ")
         (asset "QQQ" "Invesco QQQ Trust")])])]
    [(if
      (< (rsi "QQQ" {:window 10}) 30)
      [(asset "TQQQ" "ProShares UltraPro QQQ")]
      [(filter
        (cumulative-return {:window 20})
        (select-top 1)
        [(asset "TLT" "iShares 20+ Year Treasury Bond ETF")
         (asset "IEF" "iShares 7-10 Year Treasury Bond ETF")
         (asset "BIL" "SPDR Bloomberg 1-3 Month T-Bill ETF")])])])]))
