# A1 RFM on a hand-computed case: five members, as of 2026-03-01.
# M1: 3 sales (300 on 02-10, 200 on 02-20, 100 on 02-28)     R 1 day,  F 3, M 600.00
# M2: 2 sales (50 on 01-10, 50 on 02-25)                     R 4,      F 2, M 100.00
# M3: 1000 on 01-05, 400 returned on 01-06                   R 55,     F 1, M 600.00
# M4: 20 on 02-01                                            R 28,     F 1, M 20.00
# M5: 10 on 03-01 (and 999 on 03-02, after the as-of day)    R 0,      F 1, M 10.00
# No card (receipt 6) and an unknown card (7) are member 0: not in the table.
# Scores, worst first, floor(5 i / 5) + 1, ties share the lower score:
#   R: M3 1, M4 2, M2 3, M1 4, M5 5
#   F: M3 M4 M5 tie at 1 -> 1; M2 4; M1 5
#   M: M5 1, M4 2, M2 3, M1 and M3 tie at 600.00 -> 4
$ rfm_setup
$ karta import-receipts h | head -1
receipts 12, lines 12, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
$ karta rfm --as-of 2026-03-01 --format csv
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
M1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
M2,4,2,100.00,50.00,50.00,2026-01-10,2026-02-25,3,4,3,Loyal
M3,55,1,600.00,1000.00,600.00,2026-01-05,2026-01-05,1,1,4,Lost
M4,28,1,20.00,20.00,20.00,2026-02-01,2026-02-01,2,1,2,Lost
M5,0,1,10.00,10.00,10.00,2026-03-01,2026-03-01,5,1,1,New
# the same scan on one thread and on four gives the same table
$ karta rfm --as-of 2026-03-01 --format csv --threads 1 | md5sum; karta rfm --as-of 2026-03-01 --format csv --threads 4 | md5sum
233a1556cf1a101823002f6c02442532  -
233a1556cf1a101823002f6c02442532  -
# Segment sizes: every segment of the list in order; avg_monetary is absent for an empty one
$ karta rfm --as-of 2026-03-01 --segments --format csv
segment,members,share,monetary,avg_monetary
Champions,1,0.2000,600.00,600.00
Loyal,1,0.2000,100.00,100.00
Potential loyalist,0,0.0000,0.00,
New,1,0.2000,10.00,10.00
Promising,0,0.0000,0.00,
Need attention,0,0.0000,0.00,
About to sleep,0,0.0000,0.00,
At risk,0,0.0000,0.00,
Can't lose,0,0.0000,0.00,
Hibernating,0,0.0000,0.00,
Lost,2,0.4000,620.00,310.00
# Migration from 2026-02-15: then M1..M4 had bought, one receipt each (recency 5, 36,
# 41, 14; monetary 300, 50, 600, 20). Quintiles of 4: ranks 0..3 -> 1, 2, 3, 4.
#   M1 R4 F1 M3 Promising; M2 R2 F1 M2 Lost; M3 R1 F1 M4 Lost; M4 R3 F1 M1 About to sleep
# On 2026-03-01 (above): M1 Champions, M2 Loyal, M3 Lost, M4 Lost, M5 New (no row before).
$ karta rfm --as-of 2026-03-01 --migration 2026-02-15 --format csv
segment_from,segment_to,members
Promising,Champions,1
About to sleep,Lost,1
Lost,Loyal,1
Lost,Lost,1
(none),New,1
$ karta rfm --as-of 2026-03-01 --migration 2026-02-15 --format json
{
 "as_of":"2026-03-01",
 "from":"2026-02-15",
 "migration":[
  {"segment_from":"Promising", "segment_to":"Champions", "members":1},
  {"segment_from":"About to sleep", "segment_to":"Lost", "members":1},
  {"segment_from":"Lost", "segment_to":"Loyal", "members":1},
  {"segment_from":"Lost", "segment_to":"Lost", "members":1},
  {"segment_from":"(none)", "segment_to":"New", "members":1}
 ]
}
# JSON money is an exact number
$ karta rfm --as-of 2026-03-01 --format json | head -4
{
 "as_of":"2026-03-01",
 "members":[
  {"member":"M1", "recency_days":1, "frequency":3, "monetary":600.00, "max_receipt":300.00, "avg_receipt":200.00, "first_purchase":"2026-02-10", "last_purchase":"2026-02-28", "r":4, "f":5, "m":4, "segment":"Champions"},
# Scores by thresholds and an own segment list (--config):
#   R: recency <= 1 -> 5, <= 5 -> 4, <= 30 -> 3, <= 60 -> 2: M1 1 -> 5, M2 4 -> 4, M3 55 -> 2, M4 28 -> 3, M5 0 -> 5
#   F: >= 5 -> 5, >= 4 -> 4, >= 3 -> 3, >= 2 -> 2: M1 3 -> 3, M2 2 -> 2, others 1
#   M: >= 1000 -> 5, >= 500 -> 4, >= 100 -> 3, >= 50 -> 2: M1 600 -> 4, M2 100 -> 3, M3 600 -> 4, M4 20 -> 1, M5 10 -> 1
$ printf '%s\n' '{"scores": {"recency_days": [1, 5, 30, 60], "frequency": [2, 3, 4, 5], "monetary": [50, 100, "500.00", 1000]},' ' "segments": [{"name": "Best", "r": [4, 5], "m": [4, 5]}, {"name": "Rising", "r": [4, 5]}, {"name": "Rest"}]}' >cfg.json
$ karta rfm --as-of 2026-03-01 --config cfg.json --format csv | cut -d, -f1,9-12
member,r,f,m,segment
M1,5,3,4,Best
M2,4,2,3,Rising
M3,2,1,4,Rest
M4,3,1,1,Rest
M5,5,1,1,Rising
$ karta rfm --as-of 2026-03-01 --config cfg.json --segments --format csv
segment,members,share,monetary,avg_monetary
Best,1,0.2000,600.00,600.00
Rising,2,0.4000,110.00,55.00
Rest,2,0.4000,620.00,310.00
# filters: only February (M1 2 receipts, M2 1, M4 1; M3 none)
$ karta rfm --as-of 2026-03-01 --from 2026-02-01 --format csv | cut -d, -f1-4
member,recency_days,frequency,monetary
M1,1,3,600.00
M2,4,1,50.00
M4,28,1,20.00
M5,0,1,10.00
# bad parameters and configurations (errors name the JSON path)
$ echo '{"segments": [{"name": "A", "r": [2, 5]}]}' >bad.json; karta rfm --config bad.json
karta: invalid_input: $.segments: no segment holds R 1, F 1, M 1: every score must match one (end with a segment that holds all, e.g. {"name": "Other"})
[exit 4]
$ echo '{"segments": [{"name": "A", "f": [1, 9]}]}' >bad.json; karta rfm --config bad.json
karta: invalid_input: $.segments[0].f[1]: want a score 1..5
[exit 4]
$ echo '{"scores": {"monetary": [100, 50, 200, 300]}}' >bad.json; karta rfm --config bad.json
karta: invalid_input: $.scores.monetary[1]: thresholds must be strictly ascending
[exit 4]
$ echo '{"scores": {"recency": [1, 2, 3, 4]}}' >bad.json; karta rfm --config bad.json
karta: invalid_input: $.scores.recency: unknown key (recency_days, frequency, monetary)
[exit 4]
$ echo '{"segments": [' >bad.json; karta rfm --config bad.json
karta: invalid_input: $: not JSON: line 2, column 0: ']' expected near end of file
[exit 4]
$ karta rfm --config nope.json
karta: not_found: nope.json: cannot open the configuration file: No such file or directory
[exit 3]
$ karta rfm --as-of 2026-03-01 --migration 2026-03-05
karta: usage: --migration: 2026-03-05 is after the as-of day
[exit 2]
$ karta rfm --segments --migration 2026-01-01
karta: usage: --migration: give --segments or --migration, not both
[exit 2]
$ karta rfm --format xml
karta: usage: --format: want table, csv or json, not "xml"
[exit 2]
# an empty store: headers only
$ rm -rf data; karta init >/dev/null; karta rfm --format csv; karta rfm --segments --format csv; karta rfm --migration 2026-01-01 --format json
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
segment,members,share,monetary,avg_monetary
{
 "as_of":null,
 "from":"2026-01-01",
 "migration":[]
}
