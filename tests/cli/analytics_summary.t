# ABC of products over whole months reads each segment's SKU summary (s.sku,
# written by the column writer) instead of its lines, and R1 (report sales)
# their receipts' sums by day and hour (s.hour) instead of their amounts,
# units and line counts: the same output as the scan. m holds ordinary segments (import-receipts) and compact ones (gen
# --direct) of January to March, one of them without its summary; n is the
# same store with no summary at all (the scan everywhere). Every product level
# and measure, with ranges that cut months and a store filter (which only the
# scan can answer), gives the same bytes.
$ karta gen --out g --members 400 --stores 4 --products 300 --days 70 >/dev/null; karta --data m init >/dev/null; karta --data m import g --as-of 2026-01-01 >/dev/null; karta --data m import-receipts g | head -1
receipts 2023, lines 13192, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta --data m gen --direct --columns-only --force --members 400 --stores 4 --products 300 --days 70 | tail -2 | head -1; grep segment m/cols/MANIFEST
m/cols: 2023 receipts, 13192 lines; dictionary ids: 0 members, 0 stores, 0 skus
next_segment 7
segment 2026-01/seg-000001 939 6202
segment 2026-02/seg-000002 801 5141
segment 2026-03/seg-000003 283 1849
segment 2026-01/seg-000004 939 6202 compact
segment 2026-02/seg-000005 801 5141 compact
segment 2026-03/seg-000006 283 1849 compact
$ ls m/cols/*/seg-*/s.sku m/cols/*/seg-*/s.hour | wc -l; rm m/cols/2026-02/seg-000005/s.sku m/cols/2026-02/seg-000005/s.hour; cp -r m n; rm n/cols/*/seg-*/s.sku n/cols/*/seg-*/s.hour; ls n/cols/*/seg-*/s.* 2>/dev/null | wc -l
12
0
# segments from summaries: January and February (one of its two) as of the
# end of March: all but the one without; receipts are counted in compact
# segments only; a range that cuts a month scans that month; a store filter
# scans everything
$ for o in "--by revenue" "--by revenue --as-of 2026-03-31" "--by units --from 2026-01-02" "--by receipts --as-of 2026-03-31" "--of category --by receipts" "--store S001"; do karta --data m abc $o --stats 2>&1 >/dev/null | sed -n 's/.*accumulators, //p'; done
3 segments from their summaries
5 segments from their summaries
1 segments from their summaries
2 segments from their summaries
0 segments from their summaries
0 segments from their summaries
$ same=0; for of in sku category top brand; do for by in revenue units receipts members; do for range in "" "--from 2026-01-15" "--as-of 2026-03-10" "--as-of 2026-03-31" "--from 2026-02-01 --to 2026-02-28" "--to 2026-01-31" "--store S001"; do karta --data m abc --of $of --by $by $range --format csv >o1 2>&1; karta --data n abc --of $of --by $by $range --format csv >o2 2>&1; if cmp -s o1 o2; then same=$((same + 1)); else echo "differ: --of $of --by $by $range"; fi; done; done; done; echo "$same same"
112 same
# JSON output and the ABC-XYZ matrix (karta abc-xyz ranks with karta abc) take the same path
$ karta --data m abc --of brand --by units --as-of 2026-03-31 --format json >j1; karta --data n abc --of brand --by units --as-of 2026-03-31 --format json >j2; cmp j1 j2 && echo same; grep -c '"class"' j1
same
138
$ karta --data m abc-xyz --by revenue --as-of 2026-03-31 --format csv >x1; karta --data n abc-xyz --by revenue --as-of 2026-03-31 --format csv >x2; cmp x1 x2 && echo same; wc -l <x1
same
10
# R1 by every period, the same ranges, CSV and JSON: the same bytes
$ same=0; for by in hour weekday day week month; do for range in "" "--from 2026-01-15" "--as-of 2026-03-10" "--as-of 2026-03-31" "--from 2026-02-01 --to 2026-02-28" "--to 2026-01-31" "--store S001"; do for fmt in csv json; do karta --data m report sales --by $by $range --format $fmt >o1 2>&1; karta --data n report sales --by $by $range --format $fmt >o2 2>&1; if cmp -s o1 o2; then same=$((same + 1)); else echo "differ: --by $by $range --format $fmt"; fi; done; done; done; echo "$same same"
70 same
# R1 adds what the summary says: an hour summary altered by hand (the first
# entry's amount, 650.89 + 83,230.72: January 1st, 0 h) shows in the day's sales, and only there
$ karta --data m report sales --by day --as-of 2026-03-31 --format csv >d1; printf '\x7f' | dd of=m/cols/2026-01/seg-000004/s.hour bs=1 seek=58 conv=notrunc 2>/dev/null; karta --data m report sales --by day --as-of 2026-03-31 --format csv >d2; diff d1 d2 | grep '^[<>]' | cut -d, -f1,5
< 2026-01-01,55067.60
> 2026-01-01,138298.32
# a damaged summary is refused (naming the file), as a damaged column would be
$ head -c 40 m/cols/2026-01/seg-000001/s.sku >t; mv t m/cols/2026-01/seg-000001/s.sku; karta --data m abc --as-of 2026-03-31 >/dev/null
karta: invalid_input: m/cols/2026-01/seg-000001/s.sku: not a version 1 SKU summary of 6202 lines
[exit 4]
$ head -c 40 m/cols/2026-01/seg-000001/s.hour >t; mv t m/cols/2026-01/seg-000001/s.hour; karta --data m report sales --as-of 2026-03-31 >/dev/null
karta: invalid_input: m/cols/2026-01/seg-000001/s.hour: not a version 1 hour summary of 939 receipts
[exit 4]
