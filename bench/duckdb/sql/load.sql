-- load.sql - the generated chain's receipts into DuckDB in the shape Karta's
-- columnar store gives them (docs/internals/columns.md): every receipt and
-- every line with its member (by card), store, local day and minute; money in
-- minor units, quantities in thousandths, negative on a return. Members get a
-- dense integer id (as in Karta); stores and SKUs keep their codes.
CREATE TABLE cards AS
  SELECT card, member FROM read_csv('${CSV}/cards.csv', header = true, auto_detect = false,
    columns = {'card': 'VARCHAR', 'member': 'VARCHAR', 'state': 'VARCHAR', 'issued': 'VARCHAR'});
CREATE TABLE members AS
  SELECT member AS name, CAST(row_number() OVER (ORDER BY member) AS INTEGER) AS id
  FROM (SELECT DISTINCT member FROM cards);
CREATE TABLE receipts AS
  SELECT CAST(row_number() OVER () AS BIGINT) AS id, r.receipt AS code, r.store, m.id AS member,
         CAST(substr(r.time, 1, 10) AS DATE) AS day,
         CAST(substr(r.time, 12, 2) AS INTEGER) * 60 + CAST(substr(r.time, 15, 2) AS INTEGER) AS minute,
         r.kind = 'return' AS is_return,
         CAST(r.total * 100 AS BIGINT) * CASE WHEN r.kind = 'return' THEN -1 ELSE 1 END AS amount
  FROM read_csv('${CSV}/receipts.csv', header = true, auto_detect = false,
    columns = {'receipt': 'VARCHAR', 'store': 'VARCHAR', 'time': 'VARCHAR', 'card': 'VARCHAR',
               'kind': 'VARCHAR', 'original': 'VARCHAR', 'total': 'DECIMAL(18,2)'}) r
  LEFT JOIN cards c ON c.card = r.card
  LEFT JOIN members m ON m.name = c.member;
CREATE TABLE lines AS
  SELECT r.id AS receipt, r.member, r.store, l.sku, r.day, r.minute,
         CAST(l.qty * 1000 AS BIGINT) * CASE WHEN r.is_return THEN -1 ELSE 1 END AS qty_milli,
         CAST(l.amount * 100 AS BIGINT) * CASE WHEN r.is_return THEN -1 ELSE 1 END AS amount
  FROM read_csv('${CSV}/receipt_lines.csv', header = true, auto_detect = false,
    columns = {'receipt': 'VARCHAR', 'store': 'VARCHAR', 'line': 'INTEGER', 'sku': 'VARCHAR',
               'qty': 'DECIMAL(18,3)', 'price': 'VARCHAR', 'amount': 'DECIMAL(18,2)'}) l
  JOIN receipts r ON r.store = l.store AND r.code = l.receipt;
CHECKPOINT;
