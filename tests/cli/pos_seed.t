# The seed program (P1-P5), one receipt per rule, exact points. Times are the
# store's local time; the member of card 1001 was born on 15 June and chose
# category C01 (milk is C0101, under C01); cola is C02.
$ pos_setup
# P1: 1 point per 10 roubles, rounded down: 999.99 roubles give 99 points
$ basket 2026-03-01T12:00:00+03:00 1001 S001 COLA:1:99999 | karta pos calculate | earn
99 | 1:base=99@program
# P3: 4 per 10 roubles on the favourite category (any level below it)
$ basket 2026-03-01T12:00:00+03:00 1001 S001 MILK:1:10000 COLA:1:10000 | karta pos calculate | earn
50 | 1:favourite_x4=40@program 2:base=10@program
# P2: 4 per 10 roubles on the birthday; birthday and favourite do not stack (4, not 8)
$ basket 2026-06-15T09:00:00+03:00 1001 S001 MILK:1:10000 COLA:1:10000 | karta pos calculate | earn
80 | 1:birthday_x4=40@program 2:birthday_x4=40@program
# P4: supplier promo SKUs add 10 points a pack, funded by the supplier
$ basket 2026-03-01T12:00:00+03:00 1001 S001 P000001:2:5000 | karta pos calculate | earn
60 | 1:favourite_x4=40@program,supplier_promo=20@supplier:Danone
# P4: at a partner store the partner funds the accrual
$ basket 2026-03-01T12:00:00+03:00 1001 S900 COLA:1:10000 | karta pos calculate | earn
10 | 1:partner_base=10@partner:Нефтьмаркет
# alcohol and tobacco earn nothing
$ basket 2026-03-01T12:00:00+03:00 1001 S001 VODKA:1:100000 CIGS:1:20000 COLA:1:10000 | karta pos calculate | jq -c '[.earned, [.lines[] | [.earned, .excluded]]]'
[10,[[0,true],[0,true],[10,null]]]
# an anonymous receipt earns nothing; an unknown SKU is priced by the base rules and said so
$ basket 2026-03-01T12:00:00+03:00 "" S001 COLA:1:10000 | karta pos calculate | jq -c '[.member, .earned]'
[null,0]
$ basket 2026-03-01T12:00:00+03:00 1001 S001 NEWSKU:1:10000 | karta pos calculate | jq -c '[.earned, .lines[0].unknown_sku]'
[10,true]
# 29 February birthday: the seed program celebrates it on 28 February in other years
$ basket 2026-02-28T12:00:00+03:00 2902 S001 COLA:1:10000 | karta pos calculate | earn
40 | 1:birthday_x4=40@program
$ basket 2026-03-01T12:00:00+03:00 2902 S001 COLA:1:10000 | karta pos calculate | earn
10 | 1:base=10@program
# local midnight decides the day: in Almaty (UTC+5) 00:10 on 15 June is the birthday
# although it is still 14 June in Moscow and in UTC
$ basket 2026-06-15T00:10:00+05:00 1001 K001 COLA:1:10000 | karta pos calculate | earn
40 | 1:birthday_x4=40@program
$ basket 2026-06-14T23:50:00+05:00 1001 K001 COLA:1:10000 | karta pos calculate | earn
10 | 1:base=10@program
$ basket 2026-06-14T21:10:00+03:00 1001 S001 COLA:1:10000 | karta pos calculate | earn
10 | 1:base=10@program
# calculate changed nothing
$ karta pos balance 1001 | jq -c '[.balance, (.lots | length)]'
[0,0]
$ karta check
ok
