# A2 lifecycle on the hand-computed chain of seg_setup, as of 2026-03-01 (D).
# Sale days as D - n: M1 D-40, D-19, D-9, D-2 (and a return of 300.00 at D-39);
# M2 D-14, D-4; M3 D-90, D-71; M4 D-81, D-24; M5 only after D (no row).
# Window sums (sales minus returns):
#   90 days (D-89..D): M1 4 receipts 600-300+300+400+200 = 1200.00; M2 2, 450.00;
#                      M3 1 (D-71), 80.00; M4 2, 400.00
#   60 days (D-59..D): M1 4, 1200.00; M2 2, 450.00; M3 0, 0.00; M4 1, 100.00
# Defaults (new 30, lapsed 90, 4 receipts and 2000.00): M2 is new (first D-14);
# nobody lapsed (M3 last D-71 < 90); M1 has 1200.00 < 2000.00: promising.
$ seg_setup
receipts 13, lines 17, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta lifecycle --as-of 2026-03-01 --format csv
member,stage,receipts,monetary,action
M1,promising,4,1200.00,grow: offers that raise visit frequency and basket size
M2,new,2,450.00,welcome: onboarding series and an offer for the next purchase
M3,promising,1,80.00,grow: offers that raise visit frequency and basket size
M4,promising,2,400.00,grow: offers that raise visit frequency and basket size
# lapsed 60, window 60, regular = 3 receipts and 500.00: M1 regular, M3 lapsed (D-71 >= 60)
$ karta lifecycle --as-of 2026-03-01 --format csv --lapsed-days 60 --window-days 60 --regular-receipts 3 --regular-budget 500
member,stage,receipts,monetary,action
M1,regular,4,1200.00,keep: loyalty perks and personal offers in favourite categories
M2,new,2,450.00,welcome: onboarding series and an offer for the next purchase
M3,lapsed,0,0.00,win back: reactivation offer with a deadline
M4,promising,1,100.00,grow: offers that raise visit frequency and basket size
$ karta lifecycle --as-of 2026-03-01 --summary --lapsed-days 60 --window-days 60 --regular-receipts 3 --regular-budget 500 --action-lapsed 'call them'
stage      members   share  monetary  action
regular          1  0.2500   1200.00  keep: loyalty perks and personal offers in favourite categories
promising        1  0.2500    100.00  grow: offers that raise visit frequency and basket size
new              1  0.2500    450.00  welcome: onboarding series and an offer for the next purchase
lapsed           1  0.2500      0.00  call them
# boundaries: lapsed when D - last >= lapsed-days (M3: 71); new when D - first < new-days (M2: 14)
$ karta lifecycle --as-of 2026-03-01 --format csv --lapsed-days 71 --new-days 14 | cut -d, -f1-2
member,stage
M1,promising
M2,promising
M3,lapsed
M4,promising
$ karta lifecycle --as-of 2026-03-01 --format csv --lapsed-days 72 --new-days 15 | cut -d, -f1-2
member,stage
M1,promising
M2,new
M3,promising
M4,promising
# regular needs both bars: 4 receipts and 1200.00 pass exactly; 1200.01 does not
$ karta lifecycle --as-of 2026-03-01 --format csv --regular-budget 1200 | grep M1; karta lifecycle --as-of 2026-03-01 --format csv --regular-budget 1200.01 | grep M1
M1,regular,4,1200.00,keep: loyalty perks and personal offers in favourite categories
M1,promising,4,1200.00,grow: offers that raise visit frequency and basket size
# filters: only store S2 (M1 once on D-2, M2 twice); "first" is the first purchase the
# filter lets through, so M1 is new to S2; JSON money is a number
$ karta lifecycle --as-of 2026-03-01 --store S2 --format json
{
 "as_of":"2026-03-01",
 "members":[
  {"member":"M1", "stage":"new", "receipts":1, "monetary":200.00, "action":"welcome: onboarding series and an offer for the next purchase"},
  {"member":"M2", "stage":"new", "receipts":2, "monetary":450.00, "action":"welcome: onboarding series and an offer for the next purchase"}
 ]
}
$ karta lifecycle --as-of 2026-03-01 --region Татарстан --summary --format csv --new-days 3
stage,members,share,monetary,action
regular,0,0.0000,0.00,keep: loyalty perks and personal offers in favourite categories
promising,1,0.5000,450.00,grow: offers that raise visit frequency and basket size
new,1,0.5000,200.00,welcome: onboarding series and an offer for the next purchase
lapsed,0,0.0000,0.00,win back: reactivation offer with a deadline
# bad parameters
$ karta lifecycle --new-days 0
karta: invalid_input: --new-days: "0" is out of range (1..36600)
[exit 4]
$ karta lifecycle --regular-budget ten
karta: usage: --regular-budget: not an amount (want 123, 123.4 or 123.45): "ten"
[exit 2]
$ karta lifecycle --regular-budget -5
karta: usage: --regular-budget: must not be negative
[exit 2]
$ karta lifecycle --action-new ''
karta: usage: --action: --action-new: an action is a non-empty text
[exit 2]
$ karta lifecycle --store S9
karta: not_found: --store: no store "S9"
[exit 3]
# an empty store: header only; JSON an empty list
$ rm -rf data; karta init >/dev/null; karta lifecycle --format csv; karta lifecycle --summary --format json
member,stage,receipts,monetary,action
{
 "as_of":null,
 "stages":[]
}
# lifecycle against the same rules in SQLite on a generated chain
$ seg_gen
receipts 1370, lines 9514, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ seg_lifecycle_vs_sqlite 2026-02-20 20 21 45 6 3000
same lifecycle (stages: lapsed 65 new 25 promising 88 regular 45) for 223 rows
$ seg_lifecycle_vs_sqlite 2026-03-10 30 90 90 4 2000
same lifecycle (stages: new 38 promising 94 regular 113) for 245 rows
