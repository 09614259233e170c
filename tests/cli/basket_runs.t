# A5 baskets from the columns in one pass (src/analytics/assoc.c): each batch of line
# rows turns into baskets at once, a receipt cut by a batch boundary (65,536 rows) is
# finished by the batch it started in, and a receipt whose lines are not one run sends
# the whole scan to the general path (lines regrouped by receipt). Either way the
# baskets equal those of the same receipts written as a baskets file.
#
# One month of a generated chain in one segment: 86,516 lines, so two batches, the
# boundary inside a receipt.
$ karta gen --out g --members 7000 --stores 4 --products 150 --days 25 >/dev/null; karta init >/dev/null; karta import g --as-of 2026-01-01 >/dev/null; karta import-receipts g | head -1
receipts 12629, lines 86516, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ basket_gen_baskets g b.txt; wc -l <b.txt; karta basket --baskets b.txt --itemsets --min-support 0.002 --format csv >sets.file; awk -F, 'NR > 1 { n[$2]++ } END { print n[1], n[2], n[3], n[4] + 0 }' sets.file
12520
150 6616 610 0
# the same itemsets from the store with one, two and three threads; one run per receipt
$ for t in 1 2 3; do karta basket --itemsets --min-support 0.002 --threads $t --format csv --stats >sets.$t 2>stats.$t; cmp sets.$t sets.file && echo "threads $t: same $(($(wc -l <sets.$t) - 1)) sets; $(grep -c regrouped stats.$t) regrouped"; done
threads 1: same 7376 sets; 0 regrouped
threads 2: same 7376 sets; 0 regrouped
threads 3: same 7376 sets; 0 regrouped
# rules from the store against the independent reference miner over the file
$ karta basket --min-support 0.002 --min-confidence 0.1 --max-len 3 --format csv >rules.karta; python3 "$KARTA_TESTS/basket/ref_rules.py" b.txt --min-support 0.002 --min-confidence 0.1 --max-len 3 >rules.ref; python3 "$KARTA_TESTS/basket/ref_rules.py" --compare rules.karta rules.ref
same 5353 rules
# Lines of two receipts interleaved (r1 P1, r2 P1, r1 P2, r2 P3, r1 P3): the scan sees r1
# twice, so the lines are regrouped: baskets {P1 P2 P3} and {P1 P3}; P1 and P3 in both.
$ KARTA_DATA=x karta init >/dev/null; KARTA_DATA=x karta category add C01 >/dev/null; KARTA_DATA=x karta store add S001 --city Москва --timezone Europe/Moscow >/dev/null; for p in P1 P2 P3; do KARTA_DATA=x karta product add $p --category C01 >/dev/null; done
$ mkdir h; printf 'receipt,store,time,card,kind,original,total\n1,S001,2026-01-05T10:00:00+03:00,,sale,,60.00\n2,S001,2026-01-06T10:00:00+03:00,,sale,,40.00\n' >h/receipts.csv; printf 'receipt,store,line,sku,qty,price,amount\n1,S001,1,P1,1,10.00,10.00\n2,S001,1,P1,1,10.00,10.00\n1,S001,2,P2,1,20.00,20.00\n2,S001,2,P3,1,30.00,30.00\n1,S001,3,P3,1,30.00,30.00\n' >h/receipt_lines.csv; KARTA_DATA=x karta import-receipts h | head -1
receipts 2, lines 5, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ KARTA_DATA=x karta basket --itemsets --min-support 0.5 --format csv --stats 2>stats; grep -o '^2 baskets (lines regrouped by receipt)' stats
items,size,support,count
P1,1,1.0000000000,2
P3,1,1.0000000000,2
P1|P3,2,1.0000000000,2
P2,1,0.5000000000,1
P1|P2,2,0.5000000000,1
P2|P3,2,0.5000000000,1
P1|P2|P3,3,0.5000000000,1
2 baskets (lines regrouped by receipt)
# Pair counts beyond 65,535 (the pair matrix counts in 16 bits and carries the
# overflow): 140,000 baskets "a,b,c" and 10 of "a,d"; every thread sees more than 65,536.
$ awk 'BEGIN { for (i = 0; i < 140000; i++) print "a,b,c"; for (i = 0; i < 10; i++) print "a,d" }' >big.txt
$ for t in 1 2; do karta basket --baskets big.txt --itemsets --min-support 0.5 --threads $t --format csv; done
items,size,support,count
a,1,1.0000000000,140010
b,1,0.9999285765,140000
c,1,0.9999285765,140000
a|b,2,0.9999285765,140000
a|c,2,0.9999285765,140000
b|c,2,0.9999285765,140000
a|b|c,3,0.9999285765,140000
items,size,support,count
a,1,1.0000000000,140010
b,1,0.9999285765,140000
c,1,0.9999285765,140000
a|b,2,0.9999285765,140000
a|c,2,0.9999285765,140000
b|c,2,0.9999285765,140000
a|b|c,3,0.9999285765,140000
# Sets of three or more items come from the FP-tree over the baskets that hold triangles of
# frequent pairs; at its top level an item's extensions are taken from the frequent pairs, so
# its conditional tree may hold items infrequent there. A single-path conditional tree must
# stop at its first infrequent node (this file once gave a set whose subset was missing).
$ printf 'i00,i01\ni02,i03,i04,i05,i06,i07\ni08,i09,i10,i11,i12,i13,i14,i04,i01\ni15\ni03,i16,i17,i10,i18,i19,i03,i20,i04,i01\ni15\ni03,i16,i17,i10,i21,i22,i11' >rg.txt
$ karta basket --baskets rg.txt --itemsets --min-support 0.2 --max-len 4 --format csv | awk -F, 'NR > 1 { n[$2]++ } END { print n[1], n[2], n[3], n[4] + 0 }'
8 11 5 1
$ basket_vs_ref rg.txt --min-support 0.2 --min-confidence 0 --max-len 4
same 49 rules
