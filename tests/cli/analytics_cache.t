# Analyses keep what they read of the operational store (member, store and SKU
# names; the highest ids) in DATA/cache, stamped with karta.db and its log as stat
# sees them. A cache is written only when those files were last modified 5 s ago
# or more, and used only while they are unchanged. Ages are set with touch here.
$ rfm_setup
$ karta import-receipts h | head -1
receipts 12, lines 12, rejected 0; unknown cards 1; new ids: 0 members, 0 stores, 0 skus
# a store written just now: read, nothing cached
$ karta rfm --as-of 2026-03-01 --format csv | md5sum; ls data/cache 2>/dev/null | wc -l
233a1556cf1a101823002f6c02442532  -
0
# settled: the first analysis writes the caches, the next reads them (the same table)
$ touch -d '1 minute ago' data/karta.db; karta rfm --as-of 2026-03-01 --format csv | md5sum; ls data/cache
233a1556cf1a101823002f6c02442532  -
names-members
open
$ karta rfm --as-of 2026-03-01 --format csv | md5sum
233a1556cf1a101823002f6c02442532  -
# the caches answered: the operational store was not even opened
$ karta rfm --as-of 2026-03-01 --format csv --stats 2>&1 >/dev/null | grep -o 'operational store not opened'
operational store not opened
$ karta report top-sales --top 2 --as-of 2026-03-01 --format csv --stats 2>stats; grep -o 'operational store not opened' stats
rank,member,sales,receipts
1,M1,600.00,3
2,M3,600.00,1
operational store not opened
# a file put back with its old modification time (its first bytes spoiled here) is
# not the same file: its status-change time moved; the store is read (and fails)
$ touch -r data/karta.db ref; cp data/karta.db saved.db; printf 'not a database......' | dd of=data/karta.db conv=notrunc 2>/dev/null; touch -r ref data/karta.db
$ karta rfm --as-of 2026-03-01 --format csv
karta: store_error: store: file is not a database
[exit 1]
$ cp saved.db data/karta.db; touch -d '1 minute ago' data/karta.db
# A changed external id changes the store's files: the cache is not used
$ karta member update 1001 --member X1 >/dev/null; karta rfm --as-of 2026-03-01 --format csv | sed -n 2p
X1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
# settled again: rewritten with the new name, then read back
$ touch -d '1 minute ago' data/karta.db; karta rfm --as-of 2026-03-01 --format csv | sed -n 2p; karta rfm --as-of 2026-03-01 --format csv --stats 2>stats | sed -n 2p; grep -o 'operational store not opened' stats
X1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
X1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
operational store not opened
# a damaged or foreign cache file is ignored (and replaced); ties rank by name: M3 before X1
$ printf 'KTNAMES1 junk' >data/cache/names-members; printf 'junk' >data/cache/open; karta report top-sales --top 2 --as-of 2026-03-01 --format csv
rank,member,sales,receipts
1,M3,600.00,1
2,X1,600.00,3
$ karta rfm --as-of 2026-03-01 --format csv | sed -n 2p; head -c 8 data/cache/names-members; echo
X1,1,3,600.00,300.00,200.00,2026-02-10,2026-02-28,4,5,4,Champions
KTNAMES1
