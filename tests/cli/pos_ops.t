# Commit, redeem, refund (partial, full, after a rule change), idempotency,
# offers, explain, replay, and bad baskets that change nothing.
$ pos_setup
$ RECEIPT=A0 basket 2026-03-01T11:00:00+03:00 1001 S001 COLA:1:12345 | karta pos commit | jq -c '[.earned, .balance]'
[12,12]
$ RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:2:25000 COLA:3:9999 | karta pos commit | jq -c '[.committed, .earned, .balance, [.lines[].earned]]'
[true,229,241,[200,29]]
# the same receipt again: the first answer, byte for byte; with another body: refused
$ RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:2:25000 COLA:3:9999 | karta pos commit | md5sum | cut -c1-8 > first; RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:2:25000 COLA:3:9999 | karta pos commit | md5sum | cut -c1-8 | cmp - first && echo same
same
$ RECEIPT=A1 basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:1:25000 | karta pos commit
karta: conflict: $.receipt: receipt A1 was already committed at this store with a different body
[exit 5]
# pay with points: 10 points = 1 rouble, alcohol cannot be paid with points
$ RECEIPT=A2 basket 2026-03-02T12:00:00+03:00 1001 S001 VODKA:1:100000 COLA:1:1500 | jq -c '.redeem = "max"' | karta pos commit | jq -c '[.redeemable, .redeemed, .points_discount, .to_pay, [.lines[].redeemed]]'
[150,150,1500,100000,[0,150]]
$ RECEIPT=A3 basket 2026-03-02T12:00:00+03:00 1001 S001 COLA:1:100000 | jq -c '.redeem = 100' | karta pos commit
karta: insufficient_points: $.redeem: 100 points asked, 91 can be redeemed on this receipt (91 available)
[exit 6]
$ karta pos balance 1001 | jq -c '[.balance, .available, .pending]'
[91,91,0]
# a partial refund of one milk (line 1: 2 x 250.00, earned 200) takes back half of what that line earned
$ echo '{"store":"S001","receipt":"RF1","original":"A1","time":"2026-03-10T10:00:00+03:00","lines":[{"line":1,"qty":1}]}' | karta pos refund | jq -c '[.money_back, .points_reversed, .points_returned, .balance]'
[25000,100,0,-9]
# the rules change: base becomes 2 per 10 roubles; the next refund still reverses what the sale earned under version 1
$ jq '.rules[0].earn.points = 2' $KARTA_TESTS/../examples/rules/seed.json > v2.json && karta rules load v2.json --note "double base"
rules version 2 loaded and active
$ karta rules diff 1 2
~ $.rules[0].earn.points = 1 -> 2
1 changes from version 1 to 2
$ echo '{"store":"S001","receipt":"RF2","original":"A1","time":"2026-03-20T10:00:00+03:00"}' | karta pos refund | jq -c '[.money_back, .points_reversed, [.lines[] | [.line, .qty, .points_reversed]]]'
[54997,129,[[1,1,100],[2,3,29]]]
$ echo '{"store":"S001","receipt":"RF3","original":"A1","time":"2026-03-20T10:00:00+03:00"}' | karta pos refund
karta: conflict: $.original: sale A1 was already refunded in full
[exit 5]
# the refund of the sale paid with points gives those points back
$ echo '{"store":"S001","receipt":"RF4","original":"A2","time":"2026-03-21T10:00:00+03:00","lines":[{"line":2}]}' | karta pos refund | jq -c '[.money_back, .points_returned, .points_reversed]'
[0,150,0]
$ karta pos explain S001 A1 | jq -c '[.rules_version, .earned, [.lines[] | .rules]]'
[1,229,[[{"rule":"favourite_x4","points":200,"funded_by":"program"}],[{"rule":"base","points":29,"funded_by":"program"}]]]
$ karta check
ok
# replay: what version 2 would have given for March receipts (refunded ones are left out:
# their refunds reversed them), then post the difference, once
$ karta rules replay --from 2026-03-01 --to 2026-03-31 --version 2 --dry-run | jq -c '[.receipts, .difference, .members]'
[1,12,[{"member":1,"receipts":1,"earned":12,"would_earn":24,"difference":12}]]
$ karta points balance 1001 | grep '^balance'
balance: 12
$ karta rules replay --from 2026-03-01 --to 2026-03-31 --version 2 | jq -c '.difference'
12
$ karta points balance 1001 | grep '^balance'
balance: 24
$ karta rules replay --from 2026-03-01 --to 2026-03-31 --version 2
karta: conflict: --version: this replay (replay:v2:2026-03-01:2026-03-31) was already posted
[exit 5]
$ karta check
ok
# bad baskets: a clear error naming the JSON path, and nothing changes
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","card":"9999","lines":[{"sku":"COLA","qty":1,"price":100,"amount":100}]}' | karta pos commit
karta: not_found: $.card: unknown card 9999
[exit 3]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[{"sku":"COLA","qty":-1,"price":100,"amount":100}]}' | karta pos commit
karta: invalid_input: $.lines[0].qty: must be positive
[exit 4]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[{"sku":"COLA","qty":1000000,"price":100,"amount":100}]}' | karta pos commit
karta: invalid_input: $.lines[0].qty: 1000000 is absurd
[exit 4]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[{"sku":"COLA","qty":2,"price":100,"amount":300}]}' | karta pos commit
karta: invalid_input: $.lines[0].amount: 300 is more than qty x price = 200
[exit 4]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","total":150,"lines":[{"sku":"COLA","qty":1,"price":100,"amount":100}]}' | karta pos commit
karta: invalid_input: $.total: 150 but the lines add up to 100
[exit 4]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02 12:00","lines":[{"sku":"COLA","qty":1,"price":100,"amount":100}]}' | karta pos commit 2>&1 | cut -c1-40
karta: invalid_input: $.time: not a time
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[{"sku":"COLA","qty":1,"price":100,"amount":100,"discount":5}]}' | karta pos commit
karta: invalid_input: $.lines[0]: unknown key "discount" (expected: sku, qty, price, amount)
[exit 4]
$ echo '{"store":"S001","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[]}' | karta pos commit
karta: invalid_input: $.lines: a receipt has at least one line
[exit 4]
$ echo '{"store":"S001","receipt":"B1",' | karta pos commit
karta: invalid_input: $: malformed JSON at line 2, column 0: string or '}' expected near end of file
[exit 4]
$ echo '{"store":"S404","receipt":"B1","time":"2026-03-02T12:00:00+03:00","lines":[{"sku":"COLA","qty":1,"price":100,"amount":100}]}' | karta pos commit
karta: not_found: $.store: no store "S404"
[exit 3]
$ sqlite3 data/karta.db "SELECT COUNT(*) FROM receipts WHERE number = 'B1'"
0
$ karta check
ok
