-- abc.sql - karta abc --of sku --by revenue --format csv --as-of ${AS_OF}
-- (item,value,share,cum_share,class), as src/analytics/abc.h defines it: revenue is the
-- sum of line amounts up to the as-of day (returns are negative lines); items whose value
-- is zero or negative are left out; items sorted by value desc, ties by SKU (bytewise);
-- share = value / total, cum_share = running sum / total (doubles, 4 decimals); an item is
-- A when the cumulative share BEFORE it is below 0.80, else B when below 0.95, else C
-- (exact, in integers).
CREATE OR REPLACE TEMP MACRO money(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 100 AS VARCHAR), 2, '0');
CREATE OR REPLACE TEMP MACRO milli(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 1000 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 1000 AS VARCHAR), 3, '0');
COPY (
  WITH v AS (SELECT sku AS item, sum(amount) AS value FROM lines WHERE day <= DATE '${AS_OF}' GROUP BY sku HAVING sum(amount) > 0),
  t AS (SELECT sum(value) AS total FROM v),
  o AS (SELECT item, value, sum(value) OVER (ORDER BY value DESC, item ROWS UNBOUNDED PRECEDING) AS cum FROM v)
  SELECT item, money(value) AS value, printf('%.4f', value / total) AS share, printf('%.4f', cum / total) AS cum_share,
         CASE WHEN (cum - value) * 100 < 80 * total THEN 'A' WHEN (cum - value) * 100 < 95 * total THEN 'B' ELSE 'C' END AS class
  FROM o, t ORDER BY o.value DESC, item
) TO '${OUT}' (HEADER, DELIMITER ',');
