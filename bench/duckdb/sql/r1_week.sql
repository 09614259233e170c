-- r1_week.sql - karta report sales --by week --format csv --as-of ${AS_OF} (R1):
-- period,receipts,lines,units,sales,members, as src/analytics/report.h defines it:
-- receipts up to the as-of day; receipts counts sale receipts, lines sale lines (qty >= 0);
-- units (thousandths, printed with 3 decimals) and sales (money) are net of returns;
-- members counts distinct buyers (card holders with a sale receipt in the period); a
-- period appears when it holds any receipt or line; the period is the local week, as its Monday.
CREATE OR REPLACE TEMP MACRO money(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 100 AS VARCHAR), 2, '0');
CREATE OR REPLACE TEMP MACRO milli(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 1000 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 1000 AS VARCHAR), 3, '0');
COPY (
  WITH r AS (
    SELECT date_trunc('week', day) AS period, count(*) FILTER (WHERE NOT is_return) AS receipts, sum(amount) AS sales,
           count(DISTINCT member) FILTER (WHERE NOT is_return) AS members
    FROM receipts WHERE day <= DATE '${AS_OF}' GROUP BY 1),
  l AS (
    SELECT date_trunc('week', day) AS period, count(*) FILTER (WHERE qty_milli >= 0) AS lines, sum(qty_milli) AS units
    FROM lines WHERE day <= DATE '${AS_OF}' GROUP BY 1)
  SELECT strftime(period, '%Y-%m-%d') AS period, coalesce(r.receipts, 0) AS receipts, coalesce(l.lines, 0) AS lines, milli(coalesce(l.units, 0)) AS units,
         money(coalesce(r.sales, 0)) AS sales, coalesce(r.members, 0) AS members
  FROM r FULL JOIN l USING (period) ORDER BY period
) TO '${OUT}' (HEADER, DELIMITER ',');
