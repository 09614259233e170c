-- r10.sql - karta report top-receipts --top ${TOP} --format csv --as-of ${AS_OF} (R10):
-- rank,member,receipts,sales. As src/analytics/report.h defines it: buyers (card
-- holders with a sale receipt) ranked by number of sale receipts up to the
-- as-of day, ties by member external id; sales is net of returns.
CREATE OR REPLACE TEMP MACRO money(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 100 AS VARCHAR), 2, '0');
CREATE OR REPLACE TEMP MACRO milli(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 1000 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 1000 AS VARCHAR), 3, '0');
COPY (
  WITH per AS (
    SELECT member, count(*) FILTER (WHERE NOT is_return) AS receipts, sum(amount) AS sales
    FROM receipts WHERE member IS NOT NULL AND day <= DATE '${AS_OF}' GROUP BY member HAVING count(*) FILTER (WHERE NOT is_return) > 0)
  SELECT row_number() OVER (ORDER BY receipts DESC, mb.name) AS rank, mb.name AS member, receipts, money(sales) AS sales
  FROM per JOIN members mb ON mb.id = per.member
  ORDER BY rank LIMIT ${TOP}
) TO '${OUT}' (HEADER, DELIMITER ',');
