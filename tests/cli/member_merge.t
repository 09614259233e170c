# Duplicates are found by phone, e-mail, or name and birth date, and merged:
# the survivor keeps every card, every lot with its expiry, the summed balance;
# the merge is recorded.
$ karta init >/dev/null
$ karta member add --card 2001 --phone "8 (903) 111-22-33" --name "Ольга Смирнова" --birth-date 1985-07-14 --consent sms
member #1 added with card 2001
$ karta member add --card 2002 --phone "+7 903 111 22 33" --email OLGA@ya.ru --consent email
member #2 added with card 2002
$ karta member add --card 2003 --email " olga@YA.ru" --name "Ольга Смирнова" --birth-date 1985-07-14
member #3 added with card 2003
$ karta member add --card 2004 --name "Ольга Смирнова" --birth-date 1985-07-14
member #4 added with card 2004
$ karta member duplicates
phone            +79031112233                     #1 #2
email            olga@ya.ru                       #2 #3
name+birth_date  Ольга Смирнова 1985-07-14 #1 #3 #4
3 groups of possible duplicates
$ karta member show 89031112233
karta: conflict: member: 2 members share this phone; use a card number or #id (see karta member duplicates)
[exit 5]
$ karta points adjust 2001 --points 100 --staff anna --reason opening --expires 2026-06-30
member #1: +100 points (ledger transaction 1)
$ karta points adjust 2002 --points 40 --staff anna --reason opening --expires 2026-04-30
member #2: +40 points (ledger transaction 2)
$ karta member merge 2001 2002 --reason "same phone"
member #2 merged into #1: 1 cards and 40 points moved
# card 2002 now leads to the survivor
$ karta member merge 2001 2002
karta: invalid_input: member: cannot merge a member into itself
[exit 4]
$ karta member merge '#1' '#2'
karta: conflict: member: member #2 is already merged
[exit 5]
$ karta points balance 2002
member: #1
balance: 140
available: 140
pending: 0
expiring within 30 days: 0
next expiry: 2026-04-30
lots:
  lot      earned     available  expires    remaining
  3        2026-03-01 2026-03-01 2026-04-30 40
  1        2026-03-01 2026-03-01 2026-06-30 100
$ karta member show '#1' | grep -E '^(email|phone|cards|consents\.[a-z]+\.granted|merges)'
phone: +79031112233
email: olga@ya.ru
cards[0]: number=2001 state=active issued=2026-03-01
cards[1]: number=2002 state=active issued=2026-03-01
consents.email.granted: true
consents.sms.granted: true
merges[0]: survivor=1 merged=2 at=2026-03-01T10:00:00+03:00 actor=cli:test cards_moved=1 points_moved=40
$ karta member show '#2' | grep -E '^(state|merged_into|cards|points.balance)'
state: merged
merged_into: 1
points.balance: 0
cards: -
$ karta member duplicates
email            olga@ya.ru                       #1 #3
name+birth_date  Ольга Смирнова 1985-07-14 #1 #3 #4
2 groups of possible duplicates
$ karta check
ok
$ sqlite3 data/karta.db "SELECT action, object, detail FROM audit WHERE action = 'member.merge'"
member.merge|member:1|merged #2: 1 cards, 40 points
