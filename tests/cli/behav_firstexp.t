# A9 first experience on the hand-computed case of behav_sequences.t, as of 2026-06-30, by category.
# First receipts: M1 01-01 {C0101}, M2 01-05 {C0101}, M3 02-01 {C0102}, M4 06-15 {C0101}, M5 04-01 {C02}.
# Last purchases: M1 03-15, M2 06-01, M3 06-20, M4 06-25, M5 04-01.
# 1 month: marks M1 02-01, M2 02-05, M3 03-01, M5 05-01 (M4's 07-15 is after the as-of day: out).
#   retained (a purchase on or after the mark): M1 M2 M3; not M5 (one receipt).
#   C0101: with M1 M2 (2 of 2), without M3 M5 (1 of 2): lift 1 / 0.5 = 2
#   C0102: with M3 (1 of 1), without M1 M2 M5 (2 of 3): lift 1.5;  C02: with M5 (0 of 1): lift 0
# 3 months: marks M1 04-01, M2 04-05, M3 05-01; M4 and M5 too recent. Retained M2 M3 (M1 last bought 03-15).
#   C0102: 1 of 1 against 1 of 2: lift 2;  C0101: 1 of 2 against 1 of 1: lift 0.5
$ behav_setup
$ karta import-receipts b >/dev/null
$ karta first-experience --as-of 2026-06-30 --months 3,1 --format csv
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
1,C0101,2,2,1.0000,2,1,0.5000,2.0000
1,C0102,1,1,1.0000,3,2,0.6667,1.5000
1,C02,1,0,0.0000,3,3,1.0000,0.0000
3,C0102,1,1,1.0000,2,1,0.5000,2.0000
3,C0101,2,1,0.5000,1,1,1.0000,0.5000
# by default 3 and 6 months; nobody's first receipt is 6 months before 2026-06-30 (M1's mark is 07-01)
$ karta first-experience --as-of 2026-06-30 --format csv
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
3,C0102,1,1,1.0000,2,1,0.5000,2.0000
3,C0101,2,1,0.5000,1,1,1.0000,0.5000
# by SKU, 1 month, items in at least 2 first receipts: A (M1 M2, both retained) against M3 M5 (1 of 2)
$ karta first-experience --as-of 2026-06-30 --months 1 --level sku --min-members 2 --format csv
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
1,A,2,2,1.0000,2,1,0.5000,2.0000
# calendar months clamp the day: M5's first receipt moves to 01-31 and reaches 1 month on 02-28
# (not on 03-03), so as of 02-28 M5 (bought D again on 02-28: retained) is in the cohort with
# M1 (mark 02-01, last 01-20) and M2 (mark 02-05, last 02-04), both not retained; M3's mark is 03-01.
# A: 0 of 2 against M5's 1 of 1: lift 0; D: 1 of 1 against 0 of 2: no lift (NaN, last)
$ printf '20 2026-01-31 10:00 1005 D\n21 2026-02-28 10:00 1005 D\n' | behav_receipts c; karta import-receipts c >/dev/null
$ karta first-experience --as-of 2026-02-28 --months 1 --level sku --format csv
months,item,members_with,retained_with,retention_with,members_without,retained_without,retention_without,lift
1,A,2,0,0.0000,1,1,1.0000,0.0000
1,B,1,0,0.0000,2,1,0.5000,0.0000
1,E,1,0,0.0000,2,1,0.5000,0.0000
1,D,1,1,1.0000,2,0,0.0000,
