# Points: corrections by named staff, lots with expiry, FIFO spending by expiry,
# expiry idempotence, history, and `check` after each step.
$ karta init >/dev/null
$ karta member add --card 1001 --name "Анна"
member #1 added with card 1001
$ karta points adjust 1001 --points 500 --staff anna --reason "lost receipt" --expires 2026-03-10
member #1: +500 points (ledger transaction 1)
$ karta points adjust 1001 --points 200 --staff anna --reason "complaint 77"
member #1: +200 points (ledger transaction 2)
# the soonest-expiring lot is spent first
$ karta points adjust 1001 --points -150 --staff boris --reason "double accrual"
member #1: -150 points (ledger transaction 3)
$ karta points balance 1001 --days 9
member: #1
balance: 550
available: 550
pending: 0
expiring within 9 days: 350
next expiry: 2026-03-10
lots:
  lot      earned     available  expires    remaining
  1        2026-03-01 2026-03-01 2026-03-10 350
  2        2026-03-01 2026-03-01 never      200
$ karta points adjust 1001 --points -551 --staff boris --reason "too much"
karta: insufficient_points: points: member 1 has 550 points, 551 to take back
[exit 6]
$ karta points adjust 1001 --points 10 --reason x
karta: usage: --staff: a correction names the staff member who made it
[exit 2]
$ karta points adjust 1001 --points 0 --staff a --reason x
karta: invalid_input: --points: must not be 0
[exit 4]
$ karta check
ok
# the last valid day is 2026-03-10: nothing burns on the 10th, all of it on the 11th, once
$ karta expire --date 2026-03-10
expired 0 points in 0 lots of 0 members
$ karta expire --date 2026-03-11
expired 350 points in 1 lots of 1 members
$ karta expire --date 2026-03-11
expired 0 points in 0 lots of 0 members
$ karta expire --date 2026-13-01
karta: invalid_input: --date: not a date (want YYYY-MM-DD): "2026-13-01": there is no month 13
[exit 4]
$ karta points history 1001
txn    kind        day          points  actor            receipt / rule / reason
1      correction  2026-03-01      500  staff:anna        lost receipt
2      correction  2026-03-01      200  staff:anna        complaint 77
3      correction  2026-03-01     -150  staff:boris       double accrual
4      expiry      2026-03-11     -350  system:expire     lots past their expiry date
$ karta check
ok
# tampering is caught: a balance edited behind the ledger's back
$ sqlite3 data/karta.db "UPDATE members SET balance = balance + 5"
$ karta check
violation: member 1: balance 205 but the member's entries sum to 200
violation: member 1: balance 205 but open lots hold 200
2 violations
[exit 7]
