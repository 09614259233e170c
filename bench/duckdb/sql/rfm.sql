-- rfm.sql - karta rfm --format csv --as-of ${AS_OF} (definitions: src/analytics/rfm.h).
-- Receipts after the as-of day are left out; member 0 (no card, unknown card) has no row;
-- frequency counts sale receipts; monetary is sales minus returns; avg_receipt is
-- monetary / frequency rounded half away from zero; a score is floor(5 i / n) + 1 for
-- the 0-based rank i of the first member of its tie, ranked worst first.
CREATE OR REPLACE TEMP MACRO money(v) AS
  (CASE WHEN v < 0 THEN '-' ELSE '' END) || CAST(abs(v) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(v) % 100 AS VARCHAR), 2, '0');
COPY (
  WITH per AS (
    SELECT member,
           count(*) FILTER (WHERE NOT is_return) AS frequency,
           sum(amount) AS monetary,
           max(amount) FILTER (WHERE NOT is_return) AS max_receipt,
           min(day) FILTER (WHERE NOT is_return) AS first_day,
           max(day) FILTER (WHERE NOT is_return) AS last_day
    FROM receipts
    WHERE member IS NOT NULL AND day <= DATE '${AS_OF}'
    GROUP BY member
    HAVING count(*) FILTER (WHERE NOT is_return) > 0),
  ranked AS (
    SELECT *, DATE '${AS_OF}' - last_day AS recency_days,
           count(*) OVER () AS n,
           rank() OVER (ORDER BY DATE '${AS_OF}' - last_day DESC) AS r_rank,
           rank() OVER (ORDER BY frequency) AS f_rank,
           rank() OVER (ORDER BY monetary) AS m_rank
    FROM per),
  scored AS (
    SELECT *, (5 * (r_rank - 1)) // n + 1 AS r, (5 * (f_rank - 1)) // n + 1 AS f, (5 * (m_rank - 1)) // n + 1 AS m,
           sign(monetary) * ((2 * abs(monetary) + frequency) // (2 * frequency)) AS avg_receipt
    FROM ranked)
  SELECT mb.name AS member, recency_days, frequency, money(monetary) AS monetary, money(max_receipt) AS max_receipt,
         money(avg_receipt) AS avg_receipt, CAST(first_day AS VARCHAR) AS first_purchase,
         CAST(last_day AS VARCHAR) AS last_purchase, r, f, m,
         CASE
           WHEN r BETWEEN 4 AND 5 AND f BETWEEN 4 AND 5 AND m BETWEEN 4 AND 5 THEN 'Champions'
           WHEN r BETWEEN 3 AND 5 AND f BETWEEN 3 AND 5 THEN 'Loyal'
           WHEN r BETWEEN 4 AND 5 AND f = 2 THEN 'Potential loyalist'
           WHEN r = 5 AND f = 1 THEN 'New'
           WHEN r = 4 AND f = 1 THEN 'Promising'
           WHEN r = 3 AND f = 2 THEN 'Need attention'
           WHEN r = 3 AND f = 1 THEN 'About to sleep'
           WHEN r = 2 AND f BETWEEN 2 AND 5 THEN 'At risk'
           WHEN r = 1 AND f BETWEEN 4 AND 5 THEN 'Can''t lose'
           WHEN r = 1 AND f BETWEEN 2 AND 3 THEN 'Hibernating'
           ELSE 'Lost'
         END AS segment
  FROM scored s JOIN members mb ON mb.id = s.member
) TO '${OUT}' (HEADER, DELIMITER ',');
