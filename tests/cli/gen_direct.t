# karta gen --direct writes the receipts straight into the columnar store: the
# same receipts as gen (CSV) + import-receipts, so the same columns and the
# same RFM. Three data directories: a (CSV path), b (direct, after `karta
# import` of the chain: operational ids), c (direct, no import: dictionary ids).
$ karta gen --out g --members 400 --stores 4 --products 300 --days 70 >/dev/null; karta --data a init >/dev/null; karta --data a import g --as-of 2026-01-01 >/dev/null; karta --data a import-receipts g | head -1
receipts 2023, lines 13192, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta --data b init >/dev/null; karta --data b import g --as-of 2026-01-01 >/dev/null; karta --data b gen --direct --out g2 --members 400 --stores 4 --products 300 --days 70 | grep -v 'lines/s$'
g2/categories.csv: 307 rows
g2/stores.csv: 4 rows
g2/products.csv: 300 rows
g2/members.csv: 400 rows
g2/cards.csv: 465 rows
g2/consents.csv: 745 rows
g2/balances.csv: 89 rows
b/cols: 2023 receipts, 13192 lines; dictionary ids: 0 members, 0 stores, 0 skus
# the seven other files are those of the CSV path; no receipt files are written
$ for f in categories stores products members cards consents balances; do cmp g/$f.csv g2/$f.csv; done; echo $(ls g2)
balances.csv cards.csv categories.csv consents.csv members.csv products.csv stores.csv
# gen --direct writes compact segments (lines without their receipt's member, store, day and
# minute; amounts and quantities in 32 bits): every row, as the analyses read it (by reads or
# through the mappings), is that of import-receipts; the dictionaries are the same files; the
# manifest differs only by the segment kind (and the fingerprint import-receipts records)
$ for t in receipts lines; do karta --data a cols dump $t >a.$t; karta --data b cols dump $t >b.$t; karta --data b cols dump $t --mapped >bm.$t; cmp a.$t b.$t && cmp a.$t bm.$t || echo differ; done; wc -l <a.lines; diff <(ls a/cols) <(ls b/cols) && echo same files
13193
same files
$ grep -v '^import ' a/cols/MANIFEST | sed 's/^karta-cols 1/karta-cols 2/; s/^segment .*/& compact/' | diff - b/cols/MANIFEST && echo same manifest
same manifest
$ ls a/cols/2026-01/seg-000001 | tr '\n' ' '; echo; ls b/cols/2026-01/seg-000001 | tr '\n' ' '; echo; echo $(du -sk a/cols | cut -f1) $(du -sk b/cols | cut -f1) | awk '{ print ($2 < $1 * 0.6) ? "compact is smaller" : "not smaller" }'
l.amount l.day l.member l.minute l.qty_milli l.receipt l.sku l.store r.amount r.day r.flags r.member r.minute r.receipt r.store s.hour s.sku 
l.amount l.qty_milli l.receipt l.sku r.amount r.day r.flags r.lines r.member r.minute r.receipt r.store r.units s.hour s.sku 
compact is smaller
# R1 takes units and line counts of compact segments from r.units and r.lines: the same report
$ for by in hour week; do karta --data a report sales --by $by --format csv --as-of 2026-03-10 >s1; karta --data b report sales --by $by --format csv --as-of 2026-03-10 >s2; cmp s1 s2 && echo "same R1 by $by: $(($(wc -l <s1) - 1)) rows"; done
same R1 by hour: 15 rows
same R1 by week: 11 rows
$ karta --data a rfm --format csv --as-of 2026-03-10 >ra; karta --data b rfm --format csv --as-of 2026-03-10 >rb; cmp ra rb && echo "same rfm: $(($(wc -l <ra) - 1)) members, $(awk -F, 'NR > 1 { n += $3 } END { print n }' ra) receipts"
same rfm: 332 members, 1878 receipts
# without the members in the operational store, members, stores and SKUs get
# dictionary ids named by their external ids: the same RFM rows
$ karta --data c init >/dev/null; karta --data c gen --direct --out g3 --members 400 --stores 4 --products 300 --days 70 | tail -2 | head -1
c/cols: 2023 receipts, 13192 lines; dictionary ids: 333 members, 4 stores, 300 skus
$ karta --data c rfm --format csv --as-of 2026-03-10 >rc; head -1 rc; sort ra >sa; sort rc >sc; cmp sa sc && echo same rows
member,recency_days,frequency,monetary,max_receipt,avg_receipt,first_purchase,last_purchase,r,f,m,segment
same rows
# (in order of first use: the day's first receipt is at S003, the easternmost store)
$ wc -l <c/cols/dict-member.txt; head -2 c/cols/dict-store.txt
333
S003
S002
# deterministic: a second data directory gets the same bytes
$ karta --data d init >/dev/null; karta --data d gen --direct --out g4 --members 400 --stores 4 --products 300 --days 70 >/dev/null; diff -r c/cols d/cols && echo same bytes
same bytes
# a second run appends: receipt ids go on, the dictionaries are reused, each member has twice the receipts
$ karta --data d gen --direct --force --out g4 --members 400 --stores 4 --products 300 --days 70 | tail -2 | head -1; grep next_receipt d/cols/MANIFEST; wc -l <d/cols/dict-member.txt
d/cols: 2023 receipts, 13192 lines; dictionary ids: 333 members, 4 stores, 300 skus
next_receipt 4047
333
$ karta --data d rfm --format csv --as-of 2026-03-10 | grep '^M0000001,'; grep '^M0000001,' rc
M0000001,2,32,102431.98,8969.24,3201.00,2026-01-04,2026-03-08,5,5,5,Champions
M0000001,2,16,51215.99,8969.24,3201.00,2026-01-04,2026-03-08,5,5,5,Champions
# --threads 2: two member shards generated in parallel, each with its own random stream: the
# same bytes on every run, another (equally shaped) history than one thread's
$ for x in e f; do karta --data $x init >/dev/null; karta --data $x gen --direct --threads 2 --out g5$x --members 400 --stores 4 --products 300 --days 70 | tail -2 | head -1; done; diff -r e/cols f/cols && echo same bytes
e/cols: 2047 receipts, 13653 lines; dictionary ids: 345 members, 4 stores, 300 skus
f/cols: 2047 receipts, 13653 lines; dictionary ids: 345 members, 4 stores, 300 skus
same bytes
$ karta --data e cols dump lines | awk -F, 'NR > 1 { n++; a += $9 } END { print n, a }'; karta --data e cols dump receipts | awk -F, 'NR > 1 { a += $8 } END { print a }'
13653 665055611
665055611
# --columns-only: the same chain and receipts as with the files (c above), none written
$ karta --data h init >/dev/null; karta --data h gen --direct --columns-only --members 400 --stores 4 --products 300 --days 70 | sed -n '4p;8p'; diff -r c/cols h/cols && echo same columns
members.csv: 400 rows (not written)
h/cols: 2023 receipts, 13192 lines; dictionary ids: 333 members, 4 stores, 300 skus
same columns
# --dirty too: the members' text is not made without files, its draws are (the same columns)
$ karta --data hd init >/dev/null; karta --data hd gen --direct --columns-only --dirty --members 400 --stores 4 --products 300 --days 70 >/dev/null; karta --data cd init >/dev/null; karta --data cd gen --direct --out gd --dirty --members 400 --stores 4 --products 300 --days 70 >/dev/null; diff -r cd/cols hd/cols && echo same columns
same columns
# with --threads too, members are made in shards as well (nothing to write in order): another
# history again, the same on every run
$ for x in i j; do karta --data $x init >/dev/null; karta --data $x gen --direct --threads 2 --columns-only --members 400 --stores 4 --products 300 --days 70 | sed -n '8p'; done; diff -r i/cols j/cols && echo same bytes
i/cols: 1801 receipts, 11340 lines; dictionary ids: 326 members, 4 stores, 298 skus
j/cols: 1801 receipts, 11340 lines; dictionary ids: 326 members, 4 stores, 298 skus
same bytes
$ karta gen --columns-only --members 3
karta: usage: --columns-only: only with --direct (the receipts go to the columns)
[exit 2]
$ karta gen --out g7 --threads 2
karta: usage: --threads: only with --direct (the CSV files are written in one order)
[exit 2]
$ karta --data e gen --direct --out g7 --threads 65
karta: invalid_input: --threads: "65" is out of range (1..64)
[exit 4]
# errors: no data directory; the columnar store busy (nothing is written, not even --out)
$ karta --data nowhere gen --direct --out x; ls -d x
karta: not_found: --data: no data directory at nowhere (run: karta init --data nowhere)
ls: cannot access 'x': No such file or directory
[exit 2]
$ flock c/cols/LOCK sleep 3 & sleep 0.5; karta --data c gen --direct --out y --members 10 --days 3; echo "exit $?"; ls -d y
karta: conflict: c/cols/LOCK: another import is writing the columnar store
exit 5
ls: cannot access 'y': No such file or directory
[exit 2]
