# import-receipts of the generic pair parses the files in parallel chunks and
# falls back to the serial reader at anything it does not take as it is (here:
# a quoted field); both write the same columns, dictionaries and segments.
# KARTA_IMPORT_CHUNK=BYTES (tests only) cuts the files into many small chunks;
# KARTA_IMPORT_CHUNK=0 runs the serial reader alone.
$ karta gen --out g --members 300 --stores 5 --products 200 --days 40 >/dev/null; for d in a b c d e s; do karta --data $d init >/dev/null; karta --data $d import g --as-of 2026-01-01 >/dev/null; done; echo ok
ok
# chunks of 64 bytes and the default chunk: byte for byte the same store
$ KARTA_IMPORT_CHUNK=64 karta --data a import-receipts g | head -1; karta --data b import-receipts g | head -1; diff -r a/cols b/cols && echo same
receipts 826, lines 5603, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
receipts 826, lines 5603, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
same
# and those of the serial reader, fingerprint included
$ KARTA_IMPORT_CHUNK=0 karta --data s import-receipts g | head -1; diff -r a/cols s/cols && echo same
receipts 826, lines 5603, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
same
# the same receipts with new stores and SKUs, cards not on file, a CRLF line
# end and lines out of order: once in chunks, once through the serial reader
# (a quoted field on the last line sends the whole import there)
$ mkdir h q; sed -e 's/,S002,/,NEW-2,/' -e '30,60s/,\(7[0-9]\{15\}\),/,99\1,/' -e '5s/$/\r/' g/receipts.csv >h/receipts.csv; (head -1 g/receipt_lines.csv; tail -n +2 g/receipt_lines.csv | sort -t, -k4,4 -k1,1 -k3,3n) | sed -e 's/,S002,/,NEW-2,/' -e 's/,P0000\([0-9][0-9]\),/,Q\1,/' >h/receipt_lines.csv; cp h/receipts.csv q/; sed '$s/^\([^,]*\),\([^,]*\),/\1,"\2",/' h/receipt_lines.csv >q/receipt_lines.csv; tail -1 q/receipt_lines.csv | cut -d, -f1-3
20260209-000002,"S003",2
$ KARTA_IMPORT_CHUNK=200 karta --data c import-receipts h | head -1; karta --data d import-receipts q | head -1
receipts 826, lines 5603, rejected 0; unknown cards 29; new ids: 0 members, 1 stores, 99 skus
receipts 826, lines 5603, rejected 0; unknown cards 29; new ids: 0 members, 1 stores, 99 skus
$ diff -r -x MANIFEST c/cols d/cols && grep -v '^import ' c/cols/MANIFEST | diff - <(grep -v '^import ' d/cols/MANIFEST) && head -2 c/cols/dict-sku.txt && ls c/cols/2026-01 && echo same
Q01
Q02
seg-000001
same
# a bad row: the same message as the serial reader's, and nothing published
$ mkdir x; cp g/receipts.csv x/; sed '3000s/,1,\([0-9.]*\),\([0-9.]*\)$/,1.5555,\1,\2/' g/receipt_lines.csv >x/receipt_lines.csv; KARTA_IMPORT_CHUNK=64 karta --data e import-receipts x
karta: invalid_input: x/receipt_lines.csv:3000: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "1.5555"
[exit 4]
$ karta --data e cols status | head -1; ls -A e/cols/2026-01 | wc -l
segments 0, receipts 0, lines 0
0
$ KARTA_IMPORT_CHUNK=64 karta --data e import-receipts x --skip-bad | head -2
receipts 826, lines 5602, rejected 1; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
first rejected row: x/receipt_lines.csv:3000: qty: not a quantity (want 2 or 0.583, at most 3 decimals): "1.5555"
# a repeat is refused by the fingerprint of the bytes, whichever path read them
$ KARTA_IMPORT_CHUNK=64 karta --data a import-receipts g
karta: already_exists: g: these receipts were imported before (same content); --again imports them once more
[exit 5]
$ karta --data d import-receipts q
karta: already_exists: q: these receipts were imported before (same content); --again imports them once more
[exit 5]
