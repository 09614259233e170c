# P12: receipts committed at the checkout reach the columnar store's readers at
# once (read from the operational store past the op mark) and a fold moves them
# into column segments exactly once.
$ pos_setup
$ RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:2:25000 COLA:3:9999 | karta pos commit | jq -c '[.committed, .total]'
[true,79997]
$ RECEIPT=A2 basket 2026-03-01T12:05:00+03:00 "" S001 NEWSKU:1:1000 | karta pos commit | jq -c '.committed'
true
$ echo '{"store":"S001","receipt":"RF1","original":"A1","time":"2026-03-10T10:00:00+03:00","lines":[{"line":1,"qty":1}]}' | karta pos refund | jq -c '.money_back'
25000
$ karta cols status
segments 0, receipts 0, lines 0
dictionaries: members 0, stores 0, skus 0
checkout receipts folded up to #0; not yet folded: 3 receipts, 4 lines
$ karta cols fold
folded 3 receipts, 4 lines; checkout receipts folded up to #3
$ karta cols status
segments 1, receipts 3, lines 4
dictionaries: members 0, stores 0, skus 1
checkout receipts folded up to #3; not yet folded: 0 receipts, 0 lines
# nothing new: nothing written, the mark stays
$ karta cols fold
folded 0 receipts, 0 lines; checkout receipts folded up to #3
$ RECEIPT=A3 basket 2026-03-02T09:00:00+03:00 2902 S001 COLA:1:5000 | karta pos commit | jq -c '.committed'
true
$ karta cols status | tail -1
checkout receipts folded up to #3; not yet folded: 1 receipts, 1 lines
$ karta cols bogus
karta: usage: cols: unknown subcommand "bogus" (status, fold, dump)
[exit 2]
