# Behavioural analyses: every bad parameter is a usage error naming it; an empty store (no
# columns, then an initialised one) and a member with one receipt give empty, well-formed output.
$ karta sequences --window 3x
karta: usage: --window: want a number of days (90 or 90d), not "3x"
[exit 2]
$ karta sequences --window 4000
karta: usage: --window: want 0 to 3650 days, not 4000
[exit 2]
$ karta sequences --min-support 2
karta: usage: --min-support: must be between 0 and 1
[exit 2]
$ karta sequences --min-confidence abc
karta: usage: --min-confidence: want a number between 0 and 1, not "abc"
[exit 2]
$ karta sequences --level shelf
karta: usage: --level: want sku, category, top or brand, not "shelf"
[exit 2]
$ karta sequences --bogus
karta: usage: --bogus: unknown option (see sequences --help)
[exit 2]
$ karta interval --of aisle
karta: usage: --of: want sku, category, top or brand, not "aisle"
[exit 2]
$ karta interval extra
karta: usage: extra: unexpected argument (see interval --help)
[exit 2]
$ karta first-experience --months 0
karta: usage: --months: want months 1..120 separated by commas (3,6), not "0"
[exit 2]
$ karta first-experience --months 3,3
karta: usage: --months: 3 is given twice
[exit 2]
$ karta first-experience --months 3,
karta: usage: --months: want months 1..120 separated by commas (3,6), not "3,"
[exit 2]
$ karta first-experience --min-members 0
karta: usage: --min-members: "0" is out of range (1..1000000000)
[exit 2]
$ karta rfmp --factor 0
karta: usage: --factor: must be above 0 and at most 1000
[exit 2]
$ karta rfmp --of brand
karta: usage: --of: want sku or category, not "brand"
[exit 2]
$ karta rfmp --substitutes aisle
karta: usage: --substitutes: want category, top, brand or none, not "aisle"
[exit 2]
$ karta rfmp --of category --substitutes brand
karta: usage: --substitutes: a category has no brand: want category, top or none with --of category
[exit 2]
$ karta rfmp --loyal-days 1
karta: usage: --loyal-days: "1" is out of range (2..1000)
[exit 2]
$ karta rfmp --member ""
karta: usage: --member: is empty
[exit 2]
$ karta assortment --retain-days 0
karta: usage: --retain-days: want 1 to 3650 days, not 0
[exit 2]
$ karta assortment --loyal-days x
karta: usage: --loyal-days: not a whole number: "x"
[exit 2]
$ karta assortment --min-buyers 0
karta: usage: --min-buyers: "0" is out of range (1..1000000)
[exit 2]
$ karta assortment --top-share 0
karta: usage: --top-share: must be above 0 and at most 1
[exit 2]
$ karta assortment --top-share 1.5
karta: usage: --top-share: must be above 0 and at most 1
[exit 2]
$ karta assortment --retain-lift x
karta: usage: --retain-lift: want a number, not "x"
[exit 2]
$ karta loss --days -1
karta: usage: --days: want a number of days (90 or 90d), not "-1"
[exit 2]
$ karta loss --store S001
karta: usage: --store: does not apply: loss reads the ledger and the offers as of one day
[exit 2]
$ karta interval --as-of 2026-02-30
karta: usage: --as-of: not a date (want YYYY-MM-DD): "2026-02-30": February 2026 has 28 days
[exit 2]
# no data directory at all: headers only
$ for c in sequences interval first-experience rfmp assortment loss; do karta $c --format csv; done
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
sku,class,buyers,member_penetration,receipt_penetration,repeat_rate,loyal_share,retention_lift,spend
member,expiring_points,next_expiry,offers_open,offers_ending,offer_uses_left,no_favourite,birthday_bonus,birthday_window_end
$ karta rfmp --member M1
karta: not_found: --member: no member "M1" (want an external id, card or dictionary name)
[exit 3]
$ karta init >/dev/null; karta sequences --format json; karta interval --format json
{
 "as_of":null,
 "window_days":90,
 "members":0,
 "sequences":[]
}
{
 "as_of":null,
 "intervals":[]
}
# one member, one receipt of two SKUs: no sequence, no interval, no first-experience cohort
# (the receipt is the as-of day), no lapse, no substitute (the other SKU is bought the same day,
# not after); the one SKU pair in one receipt is never a sequence
$ karta category add C01 --name Dairy >/dev/null; karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null; karta product add A --category C01 >/dev/null; karta product add B --category C01 >/dev/null; karta member add --member M1 --card 1001 >/dev/null
$ printf '1 2026-02-01 10:00 1001 A B\n' | behav_receipts b; karta import-receipts b >/dev/null
$ karta sequences --min-support 0 --min-confidence 0 --window 0 --format csv
x,y,members,support,x_members,x_then_y,confidence,lift,gap_q1,gap_median,gap_q3
$ karta interval --format csv
item,buyers,repeat_buyers,repeat_share,intervals,mean_days,median_days,q1_days,q3_days
A,1,0,0.0000,0,,,,
B,1,0,0.0000,0,,,,
$ karta first-experience --format csv
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
$ karta rfmp --member M1 --format csv
member,item,days_bought,first_purchase,last_purchase,days_since_last,own_interval,loyal_interval,expected_interval,lapsed,substitute_days
M1,A,1,2026-02-01,2026-02-01,0,,,,0,0
M1,B,1,2026-02-01,2026-02-01,0,,,,0,0
$ karta assortment --format csv
sku,class,buyers,member_penetration,receipt_penetration,repeat_rate,loyal_share,retention_lift,spend
A,core,1,1.0000,1.0000,0.0000,0.0000,,10.00
B,core,1,1.0000,1.0000,0.0000,0.0000,,20.00
