# import-receipts: the same content twice is refused (a fingerprint in the
# manifest, published with the rows); --again; money in minor units; the X5
# RetailHero purchases.csv layout; segments a crash left behind are removed.
$ rfm_setup
$ karta import-receipts h | head -1
receipts 12, lines 12, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
$ karta import-receipts h
karta: already_exists: h: these receipts were imported before (same content); --again imports them once more
[exit 5]
$ karta cols status | head -1
segments 3, receipts 12, lines 12
$ karta import-receipts h --again | head -1
receipts 12, lines 12, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
$ karta cols status | head -1
segments 6, receipts 24, lines 24
# minor units: 386 = 3.86
$ printf '%s\n' 'hh,shop,basket,product,quantity,value,ts' 'H1,S1,B1,X,1,386,2017-01-28T14:06:53+00:00' 'H1,S1,B1,Y,2,150,2017-01-28T14:06:53+00:00' >m.csv
$ KARTA_DATA=d2 karta init >/dev/null; KARTA_DATA=d2 karta import-receipts m.csv --map receipt=basket,member=hh,store=shop,time=ts,sku=product,qty=quantity,amount=value --money minor | head -1
receipts 1, lines 2, rejected 0; unknown cards 0; new ids: 1 members, 1 stores, 2 skus
$ KARTA_DATA=d2 karta rfm --format csv | cut -d, -f1-4
member,recency_days,frequency,monetary
H1,0,1,5.36
$ KARTA_DATA=d2 karta import-receipts m.csv --map receipt=basket,member=hh,store=shop,time=ts,sku=product,qty=quantity,amount=value --money cents
karta: usage: --money: want decimal or minor, not "cents"
[exit 2]
$ KARTA_DATA=d2 karta import-receipts h --money minor
karta: usage: --money: only with --map (the generic format is decimal)
[exit 2]
# X5 RetailHero: times are Moscow time without an offset; amounts decimal
$ printf '%s\n' 'client_id,transaction_id,transaction_datetime,regular_points_received,express_points_received,regular_points_spent,express_points_spent,purchase_sum,store_id,product_id,product_quantity,trn_sum_from_iss,trn_sum_from_red' '000012768d,7e3e2e3984,2018-12-01 07:12:45,10.0,0.0,0.0,0.0,1007.0,54a4a11a29,9a80204f78,2.0,80.0,' '000012768d,7e3e2e3984,2018-12-01 07:12:45,10.0,0.0,0.0,0.0,1007.0,54a4a11a29,439498bce2,1.0,927.0,' '000036f903,3ffa6ad5b3,2018-12-02 23:59:10,0.0,0.0,0.0,0.0,21.0,54a4a11a29,9a80204f78,1.0,21.0,' >x5.csv
$ KARTA_DATA=d3 karta init >/dev/null; KARTA_DATA=d3 karta import-receipts x5.csv --x5 | head -1
receipts 2, lines 3, rejected 0; unknown cards 0; new ids: 2 members, 1 stores, 2 skus
$ KARTA_DATA=d3 karta rfm --format csv | cut -d, -f1-4,7,8
member,recency_days,frequency,monetary,first_purchase,last_purchase
000012768d,1,1,1007.00,2018-12-01,2018-12-01
000036f903,0,1,21.00,2018-12-02,2018-12-02
$ KARTA_DATA=d3 karta import-receipts x5.csv --x5 --map receipt=a
karta: usage: --x5: give --x5 or --map, not both
[exit 2]
# a crash before the commit point leaves directories no manifest lists; the next import removes them
$ mkdir -p data/cols/2026-01/.tmp-seg-000099 data/cols/2026-01/seg-000098 && touch data/cols/2026-01/.tmp-seg-000099/r.day && karta import-receipts h --again >/dev/null && ls -a data/cols/2026-01 | grep 'seg-00009' | wc -l
0
