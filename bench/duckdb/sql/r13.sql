-- r13.sql - karta report top-sales --top ${TOP} --format csv --as-of ${AS_OF} (R13):
-- rank,member,sales,receipts. As src/analytics/report.h defines it: buyers (card
-- holders with a sale receipt) ranked by sales net of returns up to the as-of
-- day, ties by member external id; receipts counts sale receipts.
CREATE OR REPLACE TEMP MACRO money(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 100 AS VARCHAR), 2, '0');
CREATE OR REPLACE TEMP MACRO milli(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 1000 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 1000 AS VARCHAR), 3, '0');
COPY (
  WITH per AS (
    SELECT member, count(*) FILTER (WHERE NOT is_return) AS receipts, sum(amount) AS sales
    FROM receipts WHERE member IS NOT NULL AND day <= DATE '${AS_OF}' GROUP BY member HAVING count(*) FILTER (WHERE NOT is_return) > 0)
  SELECT row_number() OVER (ORDER BY sales DESC, mb.name) AS rank, mb.name AS member, money(sales) AS sales, receipts
  FROM per JOIN members mb ON mb.id = per.member
  ORDER BY rank LIMIT ${TOP}
) TO '${OUT}' (HEADER, DELIMITER ',');
