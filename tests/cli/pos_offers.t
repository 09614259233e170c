# Personal offers (P7): issued from CSV, applied automatically or with a coupon,
# limited in uses, and every use recorded for measurement.
$ pos_setup
$ printf 'member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign\n1001,,percent_off,category:C02,1500,,2026-03-01,2026-03-31,1,supplier:Danone,spring\n1001,MILKX3,points_multiplier,sku:MILK,300,,2026-03-01,2026-03-31,5,program,spring\n1001,,points_over_spend,any,50,100000,2026-03-01,2026-03-31,2,program,spring\n' > offers.csv
$ karta offers issue offers.csv
3 offers issued
$ karta offers list 1001 | jq -c '[.offers[] | [.offer, .kind, .target_name, .coupon, .uses, .active]]'
[[1,"percent_off","C02",null,0,true],[2,"points_multiplier","MILK","MILKX3",0,true],[3,"points_over_spend",null,null,0,true]]
# 15% off cola (category C02), automatically; the milk multiplier needs its coupon
$ RECEIPT=O1 basket 2026-03-05T12:00:00+03:00 1001 S001 COLA:1:20000 MILK:1:10000 | karta pos commit | earn
57 | 1:offer1=0@supplier:Danone,base=17@program 2:favourite_x4=40@program
$ karta offers list 1001 | jq -c '[.offers[] | .uses]'
[1,0,0]
# used up: the next receipt gets no discount; with the coupon the milk earns x3
$ RECEIPT=O2 basket 2026-03-05T13:00:00+03:00 1001 S001 COLA:1:20000 MILK:1:10000 | jq -c '.coupons = ["MILKX3"]' | karta pos commit | jq -c '[.offer_discount, .earned, [.lines[].earned]]'
[0,140,[20,120]]
# spending 1000 roubles or more gives 50 points
$ RECEIPT=O3 basket 2026-03-06T12:00:00+03:00 1001 S001 COLA:5:20000 | karta pos commit | jq -c '[.earned]'
[150]
$ sqlite3 data/karta.db "SELECT offer_id, discount_minor, points FROM offer_uses ORDER BY id"
1|3000|0
2|0|80
3|0|50
$ RECEIPT=O4 basket 2026-03-06T12:00:00+03:00 1001 S001 COLA:1:100 | jq -c '.coupons = ["NOPE"]' | karta pos calculate
karta: not_found: $.coupons[0]: no valid offer of this member has coupon "NOPE"
[exit 3]
$ printf 'member,code,kind,target,value,threshold,valid_from,valid_to,uses_max,funded_by,campaign\n1001,,percent_off,category:C99,1500,,2026-03-01,2026-03-31,1,program,x\n' > bad.csv; karta offers issue bad.csv
karta: not_found: bad.csv:2: target: no category "C99"
[exit 3]
$ karta check
ok
