# A store made by an earlier version is brought up to date on open, keeping its
# rows: a schema-4 store (made here by undoing migrations 5 to 9 on a fresh one)
# with receipts, a refund and daily earnings.
$ pos_setup
$ RECEIPT=M1 basket 2026-03-01T10:00:00+03:00 1001 S001 COLA:1:10000 MILK:2:5000 | karta pos commit | jq -c '[.earned, .balance]'
[50,50]
$ RECEIPT=M2 basket 2026-03-01T11:00:00+03:00 1001 S001 COLA:3:10000 | karta pos commit | jq -c '[.earned, .balance]'
[30,80]
$ echo '{"store":"S001","receipt":"MR1","original":"M1","time":"2026-03-02T10:00:00+03:00","lines":[{"line":2,"qty":1}]}' | karta pos refund | jq -c '[.points_reversed, .balance]'
[20,60]
$ karta pos explain S001 M1 | md5sum > explain-before; sqlite3 data/karta.db "SELECT * FROM receipt_lines ORDER BY receipt_id, line_no" | md5sum > lines-before
$ sqlite3 data/karta.db "CREATE TABLE old_lines(receipt_id INTEGER NOT NULL REFERENCES receipts(id), line_no INTEGER NOT NULL, sku TEXT NOT NULL, product_id INTEGER REFERENCES products(id), qty_milli INTEGER NOT NULL, price_minor INTEGER NOT NULL, amount_minor INTEGER NOT NULL, earned INTEGER NOT NULL, redeemed INTEGER NOT NULL, points_discount_minor INTEGER NOT NULL, offer_discount_minor INTEGER NOT NULL, to_pay_minor INTEGER NOT NULL, original_line INTEGER, contribs TEXT NOT NULL, PRIMARY KEY(receipt_id, line_no)); INSERT INTO old_lines SELECT * FROM receipt_lines; DROP TABLE receipt_lines; ALTER TABLE old_lines RENAME TO receipt_lines; DROP INDEX txns_member_negative; DROP INDEX txns_member_opening; DROP INDEX receipt_earn_receipt; CREATE INDEX txns_member ON ledger_txns(member_id); CREATE INDEX receipt_earn_member_day ON receipt_earn(member_id, day); PRAGMA user_version = 4"
$ sqlite3 data/karta.db "SELECT name FROM sqlite_schema WHERE name LIKE 'txns_member%' OR name LIKE 'receipt_earn_%' OR name LIKE 'sqlite_autoindex_receipt_lines%' ORDER BY name"
receipt_earn_member_day
sqlite_autoindex_receipt_lines_1
txns_member
$ sqlite3 data/karta.db "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(kind = ''accrual'' OR kind = ''redemption'' OR kind = ''refund'' OR kind = ''expiry'' OR kind = ''merge'' OR kind = ''opening'' OR kind = ''correction'')', 'CHECK(kind IN (''accrual'',''redemption'',''refund'',''expiry'',''merge'',''opening'',''correction''))') WHERE name = 'ledger_txns'; PRAGMA writable_schema = OFF" && sqlite3 data/karta.db "SELECT instr(sql, 'kind IN (') > 0 FROM sqlite_schema WHERE name = 'ledger_txns'"
1
$ sqlite3 data/karta.db "DROP INDEX lots_member_open; CREATE INDEX lots_member_open ON lots(member_id, expires_day) WHERE remaining > 0"
$ sqlite3 data/karta.db "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(state = ''issued'' OR state = ''active'' OR state = ''inactive'' OR state = ''blocked'')', 'CHECK(state IN (''issued'',''active'',''inactive'',''blocked''))') WHERE name = 'cards'; PRAGMA writable_schema = OFF" && sqlite3 data/karta.db "SELECT instr(sql, 'state IN (') > 0 FROM sqlite_schema WHERE name = 'cards'"
1
# the next command opens the store and migrates it
$ karta check
ok
$ sqlite3 data/karta.db "PRAGMA user_version; SELECT name FROM sqlite_schema WHERE name LIKE 'txns_member%' OR name LIKE 'receipt_earn_%' OR name LIKE 'sqlite_autoindex_receipt_lines%' ORDER BY name"
9
receipt_earn_receipt
txns_member_negative
txns_member_opening
$ sqlite3 data/karta.db "SELECT sql LIKE '%WITHOUT ROWID' FROM sqlite_schema WHERE name = 'receipt_lines'"
1
# migration 7 edited the check of a transaction's kind in place: the same kinds accepted, others refused
$ sqlite3 data/karta.db "SELECT instr(sql, 'kind IN (') = 0 AND instr(sql, 'kind = ''correction''') > 0 FROM sqlite_schema WHERE name = 'ledger_txns'; PRAGMA integrity_check"
1
ok
$ sqlite3 data/karta.db "INSERT INTO ledger_txns(kind, at, day, member_id, actor) VALUES ('gift', 1, 1, 1, 'test')" 2>&1 | grep -c 'CHECK constraint failed'
1
$ karta pos explain S001 M1 | md5sum | cmp - explain-before && sqlite3 data/karta.db "SELECT * FROM receipt_lines ORDER BY receipt_id, line_no" | md5sum | cmp - lines-before && echo same
same
# migration 8: a member's open lots are read from the index alone
$ sqlite3 data/karta.db "EXPLAIN QUERY PLAN SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE member_id = 1 AND remaining > 0" | grep -o 'COVERING INDEX lots_member_open'
COVERING INDEX lots_member_open
# migration 9: no CHECK left with an IN list of more than two values (the cards' one restored above
# included); a card in a state there is no such thing as is still refused
$ sqlite3 data/karta.db "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND (instr(sql, 'family_status IN (') OR instr(sql, 'state IN (''issued''') OR instr(sql, 'channel IN (') OR instr(sql, 'source IN (') OR instr(sql, 'kind IN (''program''') OR instr(sql, 'kind IN (''percent') OR instr(sql, 'target IN (') OR instr(sql, 'role IN (') OR instr(sql, 'kind IN (''accrual'''))"
0
$ sqlite3 data/karta.db "UPDATE cards SET state = 'lost'" 2>&1 | grep -c 'CHECK constraint failed'
1
# the migrated store goes on: the rest of M1 refunded, a new sale
$ echo '{"store":"S001","receipt":"MR2","original":"M1","time":"2026-03-02T11:00:00+03:00"}' | karta pos refund | jq -c '[.points_reversed, .balance]'
[30,30]
$ RECEIPT=M3 basket 2026-03-02T12:00:00+03:00 1001 S001 COLA:1:10000 | karta pos commit | jq -c '[.earned, .balance]'
[10,40]
$ karta check
ok
