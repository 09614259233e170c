# karta recs: every bad parameter names itself; an empty store and a store holding one member's
# one receipt give empty, well-formed output.
$ karta init >/dev/null; karta recs --format csv
member,rank,sku,probability,source,score
$ karta recs --format json
{
 "as_of":null,
 "days":28,
 "calibration_pairs_repeat":0,
 "calibration_pairs_similar":0,
 "recommendations":[]
}
$ karta recs --two --format csv
member,role,sku,probability,reason
$ karta recs --evaluate --format csv
method,k,members,precision,recall,map,ndcg
$ karta recs --evaluate --format json
{
 "as_of":null,
 "holdout_days":28,
 "train_to":null,
 "test_from":null,
 "test_to":null,
 "evaluation":[]
}
# one member, one receipt: nothing before T - N to calibrate on, so no probabilities
$ karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null; karta product add A >/dev/null 2>&1; karta member add --member M1 --card 1001 >/dev/null; mkdir o; printf '%s\n' receipt,store,time,card,kind,original,total 1,S001,2026-01-05T10:00:00+03:00,1001,sale,,10.00 >o/receipts.csv; printf '%s\n' receipt,store,line,sku,qty,price,amount 1,S001,1,A,1,10.00,10.00 >o/receipt_lines.csv; karta import-receipts o | head -1
receipts 1, lines 1, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 1 skus
$ karta recs --format csv; karta recs --member M1 --format csv; karta recs --member M1 --two --format csv
member,rank,sku,probability,source,score
member,rank,sku,probability,source,score
member,role,sku,probability,reason
$ karta recs --evaluate --holdout-days 1 --format csv
method,k,members,precision,recall,map,ndcg
# bad parameters
$ karta recs --top 0
karta: usage: --top: "0" is out of range (1..1000)
[exit 2]
$ karta recs --top 1001
karta: usage: --top: "1001" is out of range (1..1000)
[exit 2]
$ karta recs --top x
karta: usage: --top: not a whole number: "x"
[exit 2]
$ karta recs --days 0
karta: usage: --days: "0" is out of range (1..3660)
[exit 2]
$ karta recs --days 3661
karta: usage: --days: "3661" is out of range (1..3660)
[exit 2]
$ karta recs --neighbours 0
karta: usage: --neighbours: "0" is out of range (1..1000)
[exit 2]
$ karta recs --evaluate --holdout-days 0
karta: usage: --holdout-days: "0" is out of range (1..3660)
[exit 2]
$ karta recs --holdout-days 5
karta: usage: --holdout-days: only with --evaluate
[exit 2]
$ karta recs --member M1 --all
karta: usage: --member: give --member ID or --all, not both
[exit 2]
$ karta recs --member ''
karta: usage: --member: is empty
[exit 2]
$ karta recs --member M9
karta: not_found: --member: no member "M9" in the history
[exit 3]
$ karta recs --evaluate --member M1
karta: usage: --member: --evaluate scores every member
[exit 2]
$ karta recs --evaluate --all
karta: usage: --all: --evaluate scores every member
[exit 2]
$ karta recs --evaluate --two
karta: usage: --two: not with --evaluate
[exit 2]
$ karta recs --evaluate --days 5
karta: usage: --days: not with --evaluate (the horizon is --holdout-days)
[exit 2]
$ karta recs --format xml
karta: usage: --format: want table, csv or json, not "xml"
[exit 2]
$ karta recs --as-of 2026-13-01
karta: usage: --as-of: not a date (want YYYY-MM-DD): "2026-13-01": there is no month 13
[exit 2]
$ karta recs --store S999
karta: not_found: --store: no store "S999"
[exit 3]
$ karta recs --bogus
karta: usage: --bogus: unknown option (see recs --help)
[exit 2]
$ karta recs extra
karta: usage: extra: unexpected argument (see recs --help)
[exit 2]
