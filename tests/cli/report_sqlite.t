# R1, R7, R9, R10, R12, R13 against the same queries in SQLite over a generated chain (tests/cli/helpers.sh:
# report_sqlite_setup loads the generator's CSV files into SQLite; the views sign returns).
$ report_sqlite_setup
receipts 2023, lines 13192, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ for by in hour weekday day week month; do report_same sales --by $by --as-of 2026-02-20 -- "$(report_sqlite_sales $by 2026-02-20)"; done
sales --by hour --as-of 2026-02-20: same 15 rows
sales --by weekday --as-of 2026-02-20: same 7 rows
sales --by day --as-of 2026-02-20: same 51 rows
sales --by week --as-of 2026-02-20: same 8 rows
sales --by month --as-of 2026-02-20: same 2 rows
$ report_same sales --by week --store S002 --from 2026-01-10 --to 2026-02-10 -- "$(report_sqlite_sales week 2026-02-10 | sed "s/FROM s_receipts WHERE/FROM s_receipts WHERE store = 'S002' AND day >= '2026-01-10' AND/; s/FROM s_lines WHERE/FROM s_lines WHERE store = 'S002' AND day >= '2026-01-10' AND/")"
sales --by week --store S002 --from 2026-01-10 --to 2026-02-10: same 6 rows
# R10 and R13: ranks with ties by member id
$ report_same top-receipts --top 50 --as-of 2026-02-20 -- "SELECT row_number() OVER (ORDER BY n DESC, member), member, n, printf('%.2f', s / 100.0) FROM (SELECT member, count(*) FILTER (WHERE kind = 'sale') AS n, sum(amount) AS s FROM s_receipts WHERE day <= '2026-02-20' AND member IS NOT NULL GROUP BY member HAVING n > 0) ORDER BY 1 LIMIT 50"
top-receipts --top 50 --as-of 2026-02-20: same 50 rows
$ report_same top-sales --top 50 --as-of 2026-02-20 -- "SELECT row_number() OVER (ORDER BY s DESC, member), member, printf('%.2f', s / 100.0), n FROM (SELECT member, count(*) FILTER (WHERE kind = 'sale') AS n, sum(amount) AS s FROM s_receipts WHERE day <= '2026-02-20' AND member IS NOT NULL GROUP BY member HAVING n > 0) ORDER BY 1 LIMIT 50"
top-sales --top 50 --as-of 2026-02-20: same 50 rows
$ report_same top-sales --top 0 --from 2026-02-01 --store S001,S003 -- "SELECT row_number() OVER (ORDER BY s DESC, member), member, printf('%.2f', s / 100.0), n FROM (SELECT member, count(*) FILTER (WHERE kind = 'sale') AS n, sum(amount) AS s FROM s_receipts WHERE day >= '2026-02-01' AND store IN ('S001', 'S003') AND member IS NOT NULL GROUP BY member HAVING n > 0) ORDER BY 1"
top-sales --top 0 --from 2026-02-01 --store S001,S003: same 102 rows
# R12 per store
$ report_same store-frequency --as-of 2026-02-20 -- "SELECT store, count(*) FILTER (WHERE kind = 'sale'), count(*) FILTER (WHERE kind = 'sale' AND member IS NOT NULL), count(DISTINCT CASE WHEN kind = 'sale' THEN member END), printf('%.2f', round(100.0 * count(*) FILTER (WHERE kind = 'sale' AND member IS NOT NULL) / count(DISTINCT CASE WHEN kind = 'sale' THEN member END)) / 100.0), printf('%.2f', sum(amount) / 100.0), printf('%.2f', round(1.0 * sum(amount) / count(*) FILTER (WHERE kind = 'sale')) / 100.0) FROM s_receipts WHERE day <= '2026-02-20' GROUP BY store ORDER BY store"
store-frequency --as-of 2026-02-20: same 4 rows
# R7 by month (every store has receipts in every month of the range)
$ report_same store-dynamics --by month --as-of 2026-02-20 -- "WITH m AS (SELECT store, substr(day, 1, 7) AS period, count(*) FILTER (WHERE kind = 'sale') AS n, sum(amount) AS s FROM s_receipts WHERE day <= '2026-02-20' GROUP BY 1, 2) SELECT store, period, n, printf('%.2f', s / 100.0), CASE WHEN p IS NULL THEN NULL ELSE printf('%.2f', p / 100.0) END, CASE WHEN p IS NULL THEN NULL ELSE printf('%.2f', (s - p) / 100.0) END, CASE WHEN p IS NULL THEN NULL ELSE printf('%.4f', 1.0 * (s - p) / p) END FROM (SELECT *, lag(s) OVER (PARTITION BY store ORDER BY period) AS p FROM m) ORDER BY store, period"
store-dynamics --by month --as-of 2026-02-20: same 8 rows
# R9: lines per receipt, top 30 (ties by member id)
$ report_same items-per-receipt --top 30 --as-of 2026-02-20 -- "WITH r AS (SELECT member, count(*) FILTER (WHERE kind = 'sale') AS n FROM s_receipts WHERE day <= '2026-02-20' AND member IS NOT NULL GROUP BY member HAVING n > 0), l AS (SELECT member, count(*) AS k, sum(qty) AS u FROM s_lines WHERE day <= '2026-02-20' AND kind = 'sale' AND member IS NOT NULL GROUP BY member) SELECT row_number() OVER (ORDER BY 1.0 * k / n DESC, r.member), r.member, n, k, printf('%.2f', round(100.0 * k / n) / 100.0), printf('%.3f', round(1.0 * u / n) / 1000.0) FROM r JOIN l ON l.member = r.member ORDER BY 1 LIMIT 30"
items-per-receipt --top 30 --as-of 2026-02-20: same 30 rows
