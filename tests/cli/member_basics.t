# Members, cards, phone and e-mail normalisation, consents, lookups (M1-M5).
$ karta init
initialised data (store sqlite, schema version 9)
$ karta store add S001 --city Москва --timezone Europe/Moscow --name "Пятёрочка на Тверской"
store S001 added (#1)
$ karta category add C01 --name Молочные
category C01 added (#1)
$ karta category add C0101 --name Молоко --parent C01
category C0101 added (#2)
$ karta member add --card "7800 0000 0000 0001" --phone "8 (912) 345-67-89" --email " Ivan.Petrov@Mail.RU " --name "Иван Петров" --sex M --birth-date 1992-02-29 --city Москва --reg-store S001 --favourite-category C01 --consent sms,email
member #1 added with card 7800000000000001
$ karta member show +79123456789 --format json | grep -E '^  "(phone|email|birth_date|favourite_category|reg_store)"'
  "birth_date": "1992-02-29",
  "phone": "+79123456789",
  "email": "ivan.petrov@mail.ru",
  "reg_store": "S001",
  "favourite_category": "C01",
$ karta member show ivan.petrov@MAIL.ru | head -3
id: 1
member: -
state: active
$ karta member update 7800000000000001 --withdraw sms --source app --favourite-category C0101 --children 2
member #1 updated
$ karta member show '#1' | grep -E '^(consents|children|favourite_category)'
children: 2
favourite_category: C0101
consents.email.granted: true
consents.email.at: 2026-03-01T10:00:00+03:00
consents.email.source: registration
consents.sms.granted: false
consents.sms.at: 2026-03-01T10:00:00+03:00
consents.sms.source: app
$ karta member show '#1' | grep -E '^(consent_history|favourite_history)'
consent_history[0]: channel=sms granted=true at=2026-03-01T10:00:00+03:00 source=registration
consent_history[1]: channel=email granted=true at=2026-03-01T10:00:00+03:00 source=registration
consent_history[2]: channel=sms granted=false at=2026-03-01T10:00:00+03:00 source=app
favourite_history[0]: category=C01 at=2026-03-01T10:00:00+03:00 source=registration
favourite_history[1]: category=C0101 at=2026-03-01T10:00:00+03:00 source=cli:test
$ karta member update '#1' --add-card 78000000000000002 --card-state 7800000000000001=blocked --reason lost
member #1 updated
$ karta member show 78000000000000002 | grep '^cards'
cards[0]: number=7800000000000001 state=blocked issued=2026-03-01
cards[1]: number=78000000000000002 state=active issued=2026-03-01
# errors name the field and change nothing
$ karta member add --card 7800000000000009 --phone 12345
karta: invalid_input: --phone: not a phone number (want +7XXXXXXXXXX, 8XXXXXXXXXX, 10 digits or +CC...): "12345": 5 digits
[exit 4]
$ karta member add --card 7800000000000001
karta: already_exists: --card: card 7800000000000001 is already registered
[exit 5]
$ karta member add --card 7800000000000010 --birth-date 1990-02-30
karta: invalid_input: --birth-date: not a date (want YYYY-MM-DD): "1990-02-30": February 1990 has 28 days
[exit 4]
$ karta member add --card 7800000000000011 --favourite-category NOPE
karta: not_found: favourite_category: no category "NOPE"
[exit 3]
$ karta member show 79990000000
karta: not_found: member: no member with card, phone, e-mail or id "79990000000"
[exit 3]
$ karta member show '#1' --format xml
karta: usage: --format: must be text or json
[exit 2]
$ karta check
ok
