# Behavioural analyses against the same queries in SQLite on a generated chain (behav_gen in
# helpers.sh): A7 buyers, repeat buyers, intervals, mean and median days by SKU and by category;
# A8 rule counts (members with X then Y within W days in a later receipt, and those whose X was
# W days or more before the as-of day) by category and by SKU.
$ behav_gen
receipts 2023, lines 13192, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ behav_interval_vs_sqlite 2026-03-05 sku
same interval by sku for 300 rows
$ behav_interval_vs_sqlite 2026-02-20 cat
same interval by category for 228 rows
$ behav_sequences_vs_sqlite 2026-03-05 28 0.02 cat
same sequences by category for 1466 rows
$ behav_sequences_vs_sqlite 2026-03-01 14 0.01 sku
same sequences by sku for 1999 rows
# the same histories on one thread and on four
$ karta sequences --level category --window 28 --min-support 0.02 --threads 1 --format csv | md5sum > t1; karta sequences --level category --window 28 --min-support 0.02 --threads 4 --format csv | md5sum > t4; cmp t1 t4 && echo same
same
$ karta assortment --threads 1 --format csv | md5sum > t1; karta assortment --threads 3 --format csv | md5sum > t4; cmp t1 t4 && echo same
same
