/*
 * schema_sqlite.h - the SQLite schema as numbered migrations. Migration N is
 * applied once, in a transaction with the update of PRAGMA user_version to N,
 * when a store at a lower version is opened. Never edit a released migration:
 * add the next one. A PostgreSQL backend keeps its own list with the same
 * numbers and the same tables.
 */
#ifndef KT_SCHEMA_SQLITE_H
#define KT_SCHEMA_SQLITE_H

static const char *const kt_sqlite_migrations[] = {
    /* 1: members, cards, consents, catalogue, ledger, audit */
    "CREATE TABLE categories("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES categories(id), level INTEGER NOT NULL CHECK(level BETWEEN 1 AND 8));"
    "CREATE TABLE partners(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE suppliers(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE brands(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE stores("
    "  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT, city TEXT NOT NULL, region TEXT,"
    "  timezone TEXT NOT NULL, utc_offset_min INTEGER NOT NULL,"
    "  partner_id INTEGER REFERENCES partners(id), opened_day INTEGER);"
    "CREATE TABLE products("
    "  id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT,"
    "  category_id INTEGER NOT NULL REFERENCES categories(id),"
    "  brand_id INTEGER REFERENCES brands(id), supplier_id INTEGER REFERENCES suppliers(id),"
    "  price_minor INTEGER CHECK(price_minor >= 0), unit TEXT NOT NULL DEFAULT 'pcs' CHECK(unit IN ('pcs','kg')),"
    "  alcohol INTEGER NOT NULL DEFAULT 0 CHECK(alcohol IN (0,1)),"
    "  tobacco INTEGER NOT NULL DEFAULT 0 CHECK(tobacco IN (0,1)));"
    "CREATE INDEX products_category ON products(category_id);"
    "CREATE TABLE members("
    "  id INTEGER PRIMARY KEY, ext_id TEXT UNIQUE, name TEXT,"
    "  sex TEXT CHECK(sex IN ('M','F')), birth_day INTEGER, city TEXT, region TEXT,"
    "  family_status TEXT CHECK(family_status IN ('single','married','divorced','widowed')),"
    "  children INTEGER CHECK(children BETWEEN 0 AND 20), car INTEGER CHECK(car IN (0,1)),"
    "  phone TEXT, email TEXT, registered_day INTEGER NOT NULL,"
    "  reg_store_id INTEGER REFERENCES stores(id),"
    "  favourite_category_id INTEGER REFERENCES categories(id),"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK(state IN ('active','merged')),"
    "  merged_into INTEGER REFERENCES members(id),"
    "  balance INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX members_phone ON members(phone) WHERE phone IS NOT NULL;"
    "CREATE INDEX members_email ON members(email) WHERE email IS NOT NULL;"
    "CREATE INDEX members_name_birth ON members(name, birth_day) WHERE name IS NOT NULL AND birth_day IS NOT NULL;"
    "CREATE TABLE cards("
    "  id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
    "  member_id INTEGER NOT NULL REFERENCES members(id),"
    "  state TEXT NOT NULL CHECK(state IN ('issued','active','inactive','blocked')),"
    "  issued_day INTEGER, changed_at INTEGER NOT NULL);"
    "CREATE INDEX cards_member ON cards(member_id);"
    "CREATE TABLE card_events("
    "  id INTEGER PRIMARY KEY, card_id INTEGER NOT NULL REFERENCES cards(id),"
    "  member_id INTEGER NOT NULL REFERENCES members(id), state TEXT NOT NULL, at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL, reason TEXT);"
    "CREATE TABLE consent_events("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
    "  channel TEXT NOT NULL CHECK(channel IN ('sms','email','push','viber','app')),"
    "  granted INTEGER NOT NULL CHECK(granted IN (0,1)), at INTEGER NOT NULL,"
    "  source TEXT NOT NULL CHECK(source IN ('registration','support','app','store','shop','import','merge')));"
    "CREATE INDEX consent_member ON consent_events(member_id, channel, at);"
    "CREATE TABLE favourite_events("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
    "  category_id INTEGER REFERENCES categories(id), at INTEGER NOT NULL, source TEXT NOT NULL);"
    "CREATE INDEX favourite_member ON favourite_events(member_id, at);"
    "CREATE TABLE merges("
    "  id INTEGER PRIMARY KEY, survivor_id INTEGER NOT NULL REFERENCES members(id),"
    "  merged_id INTEGER NOT NULL REFERENCES members(id), at INTEGER NOT NULL, actor TEXT NOT NULL,"
    "  cards_moved INTEGER NOT NULL, points_moved INTEGER NOT NULL, reason TEXT);"
    "CREATE TABLE audit("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,"
    "  object TEXT NOT NULL, detail TEXT);"
    "CREATE TABLE accounts(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL CHECK(kind IN ('program','partner','supplier','redemption','expiry','opening','correction')));"
    "INSERT INTO accounts(code, kind) VALUES ('program','program'),('redemption','redemption'),"
    "  ('expiry','expiry'),('opening','opening'),('correction','correction');"
    "CREATE TABLE ledger_txns("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK(kind IN ('accrual','redemption','refund','expiry','merge','opening','correction')),"
    "  at INTEGER NOT NULL, day INTEGER NOT NULL, member_id INTEGER NOT NULL REFERENCES members(id),"
    "  receipt TEXT, rule TEXT, actor TEXT NOT NULL, reason TEXT,"
    "  allow_negative INTEGER NOT NULL DEFAULT 0 CHECK(allow_negative IN (0,1)));"
    "CREATE INDEX txns_member ON ledger_txns(member_id);"
    "CREATE TABLE lots("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),"
    "  txn_id INTEGER NOT NULL REFERENCES ledger_txns(id),"
    "  earned_day INTEGER NOT NULL, available_day INTEGER NOT NULL, expires_day INTEGER,"
    "  points INTEGER NOT NULL CHECK(points > 0),"
    "  remaining INTEGER NOT NULL CHECK(remaining >= 0 AND remaining <= points),"
    "  funder_account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  origin_lot_id INTEGER REFERENCES lots(id));"
    "CREATE INDEX lots_member_open ON lots(member_id, expires_day) WHERE remaining > 0;"
    "CREATE INDEX lots_expiry_open ON lots(expires_day) WHERE remaining > 0;"
    "CREATE TABLE ledger_entries("
    "  id INTEGER PRIMARY KEY, txn_id INTEGER NOT NULL REFERENCES ledger_txns(id),"
    "  member_id INTEGER REFERENCES members(id), account_id INTEGER REFERENCES accounts(id),"
    "  lot_id INTEGER REFERENCES lots(id), points INTEGER NOT NULL CHECK(points <> 0),"
    "  CHECK((member_id IS NULL) <> (account_id IS NULL)),"
    "  CHECK(lot_id IS NULL OR member_id IS NOT NULL));"
    "CREATE INDEX entries_txn ON ledger_entries(txn_id);"
    "CREATE INDEX entries_member ON ledger_entries(member_id) WHERE member_id IS NOT NULL;"
    "CREATE INDEX entries_lot ON ledger_entries(lot_id) WHERE lot_id IS NOT NULL;"
    "CREATE TABLE imports(id INTEGER PRIMARY KEY, source TEXT NOT NULL, at INTEGER NOT NULL,"
    "  rows INTEGER NOT NULL, rejected INTEGER NOT NULL, actor TEXT NOT NULL);"
    "CREATE TRIGGER entries_append_only_u BEFORE UPDATE ON ledger_entries"
    "  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
    "CREATE TRIGGER entries_append_only_d BEFORE DELETE ON ledger_entries"
    "  BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
    "CREATE TRIGGER txns_append_only_u BEFORE UPDATE ON ledger_txns"
    "  BEGIN SELECT RAISE(ABORT, 'ledger transactions are append-only'); END;"
    "CREATE TRIGGER audit_append_only_u BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_append_only_d BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",

    /* 2: checkout - rule versions, receipts with per-line contributions, personal offers */
    "CREATE TABLE rule_versions("
    "  version INTEGER PRIMARY KEY, document TEXT NOT NULL, loaded_at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL, note TEXT);"
    "CREATE TABLE rule_active(id INTEGER PRIMARY KEY CHECK(id = 1),"
    "  version INTEGER NOT NULL REFERENCES rule_versions(version), since INTEGER NOT NULL);"
    "CREATE TABLE receipts("
    "  id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES stores(id), number TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('sale','refund')), original_id INTEGER REFERENCES receipts(id),"
    "  member_id INTEGER REFERENCES members(id), at INTEGER NOT NULL, offset_min INTEGER NOT NULL,"
    "  day INTEGER NOT NULL, rules_version INTEGER REFERENCES rule_versions(version),"
    "  total_minor INTEGER NOT NULL, to_pay_minor INTEGER NOT NULL, earned INTEGER NOT NULL,"
    "  redeemed INTEGER NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL,"
    "  UNIQUE(store_id, number));"
    "CREATE INDEX receipts_member_day ON receipts(member_id, day) WHERE member_id IS NOT NULL;"
    "CREATE INDEX receipts_original ON receipts(original_id) WHERE original_id IS NOT NULL;"
    "CREATE TABLE receipt_lines("
    "  receipt_id INTEGER NOT NULL REFERENCES receipts(id), line_no INTEGER NOT NULL,"
    "  sku TEXT NOT NULL, product_id INTEGER REFERENCES products(id), qty_milli INTEGER NOT NULL,"
    "  price_minor INTEGER NOT NULL, amount_minor INTEGER NOT NULL, earned INTEGER NOT NULL,"
    "  redeemed INTEGER NOT NULL, points_discount_minor INTEGER NOT NULL, offer_discount_minor INTEGER NOT NULL,"
    "  to_pay_minor INTEGER NOT NULL, original_line INTEGER, contribs TEXT NOT NULL,"
    "  PRIMARY KEY(receipt_id, line_no));"
    "CREATE TABLE receipt_earn("
    "  receipt_id INTEGER NOT NULL REFERENCES receipts(id), member_id INTEGER NOT NULL REFERENCES members(id),"
    "  day INTEGER NOT NULL, rule TEXT NOT NULL, funder TEXT NOT NULL, points INTEGER NOT NULL);"
    "CREATE INDEX receipt_earn_member_day ON receipt_earn(member_id, day);"
    "CREATE TABLE offers("
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id), code TEXT,"
    "  kind TEXT NOT NULL CHECK(kind IN ('percent_off','amount_off','points_multiplier','points_over_spend')),"
    "  target TEXT NOT NULL CHECK(target IN ('any','sku','category','brand')), target_id INTEGER,"
    "  target_name TEXT, value INTEGER NOT NULL, threshold_minor INTEGER NOT NULL DEFAULT 0,"
    "  valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL, uses_max INTEGER NOT NULL,"
    "  uses INTEGER NOT NULL DEFAULT 0 CHECK(uses <= uses_max), funder TEXT NOT NULL,"
    "  campaign TEXT, created_at INTEGER NOT NULL, actor TEXT NOT NULL);"
    "CREATE INDEX offers_member ON offers(member_id, valid_to);"
    "CREATE TABLE offer_uses("
    "  id INTEGER PRIMARY KEY, offer_id INTEGER NOT NULL REFERENCES offers(id),"
    "  receipt_id INTEGER NOT NULL REFERENCES receipts(id), member_id INTEGER NOT NULL REFERENCES members(id),"
    "  discount_minor INTEGER NOT NULL, points INTEGER NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX offer_uses_offer ON offer_uses(offer_id);",

    /* 3: the HTTP API's keys - only the SHA-256 of each secret is kept; a pos key acts for one store */
    "CREATE TABLE api_keys("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK(role IN ('pos','app','analyst','marketer','admin')),"
    "  store_id INTEGER REFERENCES stores(id), hash TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL, revoked_at INTEGER,"
    "  CHECK((role = 'pos') = (store_id IS NOT NULL)));",

    /* 4: stock snapshots for the sales-and-stock report (R6, karta import-stock): the quantity on
     * hand at the end of a day, in thousandths; a later import of the same key replaces it */
    "CREATE TABLE stock("
    "  store_id INTEGER NOT NULL REFERENCES stores(id), product_id INTEGER NOT NULL REFERENCES products(id),"
    "  day INTEGER NOT NULL, qty_milli INTEGER NOT NULL CHECK(qty_milli >= 0), imported_at INTEGER NOT NULL,"
    "  PRIMARY KEY(store_id, product_id, day)) WITHOUT ROWID;",

    /* 5: fewer member-keyed pages per checkout commit. Every index keyed by member puts
     * a random page into each commit's log; two of them served only rare questions.
     * ledger_txns by member was read only for negative and opening balances: partial
     * indexes keep those indexed and skip accruals and redemptions. A member's earnings
     * of a day (daily limits) are found through receipts_member_day, which a commit
     * writes anyway (an earning row has its receipt's member and day; karta check
     * verifies it), and earnings by receipt (refunds, replay) get the index they
     * lacked: receipt ids ascend, so its inserts append. */
    "DROP INDEX txns_member;"
    "CREATE INDEX txns_member_negative ON ledger_txns(member_id) WHERE allow_negative = 1;"
    "CREATE INDEX txns_member_opening ON ledger_txns(member_id) WHERE kind = 'opening';"
    "DROP INDEX receipt_earn_member_day;"
    "CREATE INDEX receipt_earn_receipt ON receipt_earn(receipt_id);",

    /* 6: a receipt's lines kept in their key's order (WITHOUT ROWID): one B-tree
     * insert per line instead of a row and an entry in the key's index. Every
     * question asks for lines by receipt (and line), which is the key. */
    "CREATE TABLE receipt_lines_6("
    "  receipt_id INTEGER NOT NULL REFERENCES receipts(id), line_no INTEGER NOT NULL,"
    "  sku TEXT NOT NULL, product_id INTEGER REFERENCES products(id), qty_milli INTEGER NOT NULL,"
    "  price_minor INTEGER NOT NULL, amount_minor INTEGER NOT NULL, earned INTEGER NOT NULL,"
    "  redeemed INTEGER NOT NULL, points_discount_minor INTEGER NOT NULL, offer_discount_minor INTEGER NOT NULL,"
    "  to_pay_minor INTEGER NOT NULL, original_line INTEGER, contribs TEXT NOT NULL,"
    "  PRIMARY KEY(receipt_id, line_no)) WITHOUT ROWID;"
    "INSERT INTO receipt_lines_6 SELECT receipt_id, line_no, sku, product_id, qty_milli, price_minor, amount_minor,"
    "  earned, redeemed, points_discount_minor, offer_discount_minor, to_pay_minor, original_line, contribs"
    "  FROM receipt_lines ORDER BY receipt_id, line_no;"
    "DROP TABLE receipt_lines;"
    "ALTER TABLE receipt_lines_6 RENAME TO receipt_lines;",

    /* 7: a ledger transaction's kind checked by comparisons instead of an IN list.
     * SQLite evaluates a CHECK with an IN list of more than two values by building
     * a temporary index of the list at each statement: ~3-6 us per row against
     * ~1 us (three rows per checkout commit). The two forms accept the same
     * values, so the rows stay valid and the table is not rebuilt: the stored
     * definition is edited in place, as SQLite's documentation describes for
     * CHECK changes (the store bumps the schema version after this script). */
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_schema SET sql = replace(sql,"
    " 'CHECK(kind IN (''accrual'',''redemption'',''refund'',''expiry'',''merge'',''opening'',''correction''))',"
    " 'CHECK(kind = ''accrual'' OR kind = ''redemption'' OR kind = ''refund'' OR kind = ''expiry'' OR"
    " kind = ''merge'' OR kind = ''opening'' OR kind = ''correction'')')"
    " WHERE type = 'table' AND name = 'ledger_txns';"
    "PRAGMA writable_schema = OFF;",

    /* 8: a member's open lots read from the index alone. Every checkout reads them
     * (pricing: what can be spent; the commit: the balance against the lots),
     * and a regular shopper has tens to hundreds, one per funder per purchase,
     * each in the table where it was appended, far from the others: with only
     * (member, expiry) in the index each lot cost a table page. With the columns
     * those reads need in the index, a member's open lots are a few adjacent
     * index entries. Measured under bench/http.sh with 50 open lots per member:
     * see bench/RESULTS.md. */
    "DROP INDEX lots_member_open;"
    "CREATE INDEX lots_member_open ON lots(member_id, expires_day, available_day, earned_day, remaining, funder_account_id)"
    "  WHERE remaining > 0;",

    /* 9: the other CHECKs with an IN list of more than two values, as migration 7 did for
     * ledger transactions (same values accepted, definitions edited in place): ~3-6 us
     * less per row where members, cards, consents and offers are written in bulk. */
    "PRAGMA writable_schema = ON;"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(family_status IN"
    " (''single'',''married'',''divorced'',''widowed''))', 'CHECK(family_status = ''single'' OR"
    " family_status = ''married'' OR family_status = ''divorced'' OR family_status = ''widowed'')')"
    " WHERE type = 'table' AND name = 'members';"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(state IN"
    " (''issued'',''active'',''inactive'',''blocked''))', 'CHECK(state = ''issued'' OR state ="
    " ''active'' OR state = ''inactive'' OR state = ''blocked'')') WHERE type = 'table' AND name ="
    " 'cards';"
    "UPDATE sqlite_schema SET sql = replace(replace(sql, 'CHECK(channel IN"
    " (''sms'',''email'',''push'',''viber'',''app''))', 'CHECK(channel = ''sms'' OR channel ="
    " ''email'' OR channel = ''push'' OR channel = ''viber'' OR channel = ''app'')'), 'CHECK(source IN"
    " (''registration'',''support'',''app'',''store'',''shop'',''import'',''merge''))', 'CHECK(source"
    " = ''registration'' OR source = ''support'' OR source = ''app'' OR source = ''store'' OR source ="
    " ''shop'' OR source = ''import'' OR source = ''merge'')') WHERE type = 'table' AND name ="
    " 'consent_events';"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(kind IN"
    " (''program'',''partner'',''supplier'',''redemption'',''expiry'',''opening'',''correction''))',"
    " 'CHECK(kind = ''program'' OR kind = ''partner'' OR kind = ''supplier'' OR kind = ''redemption''"
    " OR kind = ''expiry'' OR kind = ''opening'' OR kind = ''correction'')') WHERE type = 'table' AND"
    " name = 'accounts';"
    "UPDATE sqlite_schema SET sql = replace(replace(sql, 'CHECK(kind IN"
    " (''percent_off'',''amount_off'',''points_multiplier'',''points_over_spend''))', 'CHECK(kind ="
    " ''percent_off'' OR kind = ''amount_off'' OR kind = ''points_multiplier'' OR kind ="
    " ''points_over_spend'')'), 'CHECK(target IN (''any'',''sku'',''category'',''brand''))',"
    " 'CHECK(target = ''any'' OR target = ''sku'' OR target = ''category'' OR target = ''brand'')')"
    " WHERE type = 'table' AND name = 'offers';"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK(role IN"
    " (''pos'',''app'',''analyst'',''marketer'',''admin''))', 'CHECK(role = ''pos'' OR role = ''app''"
    " OR role = ''analyst'' OR role = ''marketer'' OR role = ''admin'')') WHERE type = 'table' AND"
    " name = 'api_keys';"
    "PRAGMA writable_schema = OFF;",
};

#endif
