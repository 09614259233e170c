# karta rules activate: an older version becomes active again, is used by the
# next checkout, and the change is audited; errors name the version
$ . $KARTA_TESTS/cli/helpers.sh && pos_setup
$ jq '.rules[0].earn.points = 2' $KARTA_TESTS/../examples/rules/seed.json > v2.json && karta rules load v2.json --note "double base"
rules version 2 loaded and active
$ RECEIPT=A1 basket 2026-03-01T10:00:00+03:00 2902 S001 COLA:1:10000 | karta pos calculate | jq -c '[.rules_version, .earned]'
[2,20]
$ karta rules activate 1
rules version 1 is now active
$ karta rules activate 1
rules version 1 was already active
$ karta rules list | awk 'NR > 1 {print $1, ($2 == "yes" ? "active" : "-")}'
1 active
2 -
$ RECEIPT=A1 basket 2026-03-01T10:00:00+03:00 2902 S001 COLA:1:10000 | karta pos calculate | jq -c '[.rules_version, .earned]'
[1,10]
$ sqlite3 $KARTA_DATA/karta.db "SELECT actor, action, object, detail FROM audit WHERE action = 'rules.activate'"
cli:test|rules.activate|rules:1|was 2
$ karta rules activate 7
karta: not_found: version: no rule version 7
[exit 3]
$ karta rules activate x
karta: invalid_input: version: not a whole number: "x"
[exit 4]
$ karta rules activate
karta: usage: version: which version? (karta rules list)
[exit 2]
