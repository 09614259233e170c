# import-receipts: bad rows stop the import and nothing becomes visible;
# --skip-bad loads the rest; a foreign CSV through --map.
$ rfm_setup
$ mkdir bad && cp h/* bad/ && sed -i 's/^4,S001,2026-02-01T23:59:00+03:00,1004,sale,,20.00$/4,S001,2026-02-01T23:59:00+03:00,1004,sale,,20.001/' bad/receipts.csv && karta import-receipts bad
karta: invalid_input: bad/receipts.csv:5: total: not an amount (want 123, 123.4 or 123.45): "20.001": more than 2 decimal places
[exit 4]
$ sed -i 's/,20.001$/,20.00/' bad/receipts.csv && sed -i 's/^9,S001,1,P1,1,50.00,50.00$/9,S001,1,P1,x,50.00,50.00/' bad/receipt_lines.csv && karta import-receipts bad
karta: invalid_input: bad/receipt_lines.csv:10: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "x"
[exit 4]
$ echo "9,S001,1,P1,1,50.00,50.00" >>bad/receipt_lines.csv && karta import-receipts bad
karta: invalid_input: bad/receipt_lines.csv:10: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "x"
[exit 4]
# nothing was published
$ karta rfm --format csv; find data/cols -name '*seg-*' | wc -l
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
0
$ karta import-receipts bad --skip-bad | head -2
receipts 12, lines 12, rejected 1; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
first rejected row: bad/receipt_lines.csv:10: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "x"
# a foreign file: household ids, store and product codes unknown to the operational store
$ printf '%s\n' '"household","shop","basket","product","quantity","value","ts"' '"H1","S1","B1","X",1,3.86,"2017-01-28 14:06:53"' '"H1","S1","B1","Y",2,1.50,"2017-01-28 14:06:53"' '"H2","S1","B2","X",1,-1.00,"2017-02-01 09:00:00"' '"H1","S1","B3","X",1,2.00,"2017-03-05 12:00:00"' '"H3","S1","B4","X",0.5,2.00,"2017-03-01 23:30:00"' >m.csv
$ KARTA_DATA=d2 karta init >/dev/null; KARTA_DATA=d2 karta import-receipts m.csv --map receipt=basket,member=household,store=shop,time=ts,sku=product,qty=quantity,amount=value
karta: invalid_input: m.csv:2: time: not a time (want YYYY-MM-DDTHH:MM[:SS]+HH:MM): "2017-01-28 14:06:53": no UTC offset (add Z or +HH:MM) (for times without an offset give --timezone)
[exit 4]
$ KARTA_DATA=d2 karta import-receipts m.csv --map receipt=basket,member=household,store=shop,time=ts,sku=product,qty=quantity,amount=value --timezone America/New_York | head -1
receipts 4, lines 5, rejected 0; unknown cards 0; new ids: 3 members, 1 stores, 2 skus
# H1: B1 (3.86 + 1.50) and B3 (2.00); H2 only returned goods: no row; H3 half a piece
$ KARTA_DATA=d2 karta rfm --format csv --as-of 2017-03-05
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
H1,0,2,7.36,5.36,3.68,2017-01-28,2017-03-05,3,3,3,Loyal
H3,4,1,2.00,2.00,2.00,2017-03-01,2017-03-01,1,1,1,Lost
$ KARTA_DATA=d2 karta import-receipts m.csv --map receipt=basket,store=shop,time=ts,sku=product,qty=quantity
karta: usage: --map: amount=HEADER is required
[exit 2]
