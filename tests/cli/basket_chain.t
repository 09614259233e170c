# A5 rules over a generated chain's receipts against the same baskets mined by the
# independent reference miner (tests/basket/ref_rules.py) and, for pairs, against a
# self-join in SQLite over the generated CSV files.
$ karta gen --out g --members 400 --stores 4 --products 60 --days 60 >/dev/null; karta init >/dev/null; karta import g --as-of 2026-01-01 >/dev/null; karta import-receipts g | head -1
receipts 1644, lines 11961, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ basket_gen_baskets g b.txt; wc -l <b.txt
1626
$ karta basket --min-support 0.02 --min-confidence 0.1 --format csv >rules.karta; python3 "$KARTA_TESTS/basket/ref_rules.py" b.txt --min-support 0.02 --min-confidence 0.1 >rules.ref; python3 "$KARTA_TESTS/basket/ref_rules.py" --compare rules.karta rules.ref
same 1539 rules
$ karta basket --min-support 0.01 --min-confidence 0.5 --max-len 3 --threads 1 --format csv >rules.karta; python3 "$KARTA_TESTS/basket/ref_rules.py" b.txt --min-support 0.01 --min-confidence 0.5 --max-len 3 >rules.ref; python3 "$KARTA_TESTS/basket/ref_rules.py" --compare rules.karta rules.ref
same 204 rules
# pairs: lhs, rhs, count and confidence against SQLite (support 0.01 of 1626: count >= 17)
$ karta basket --min-support 0.01 --min-confidence 0 --min-len 2 --max-len 2 --format csv | tail -n +2 | awk -F, '{ printf "%s,%s,%s,%.6f\n", $1, $2, $6, $4 }' | sort >pairs.karta; basket_pairs_sqlite g 17 >pairs.sqlite; cmp pairs.karta pairs.sqlite && echo "same $(wc -l <pairs.karta) pair rules"
same 3144 pair rules
