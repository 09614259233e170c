# A4 preferences on the hand-computed chain of seg_setup, as of 2026-03-01.
# Spend by top category and brand (sales minus returns; P4 has no brand):
#   M1: C01 300+300-300+100+200 = 600, C02 200+400 = 600 of 1200 (a tie: C01 first);
#       Alfa 300+100+200+200 = 800 (0.6667), Beta 300-300 = 0 (not listed)
#   M2: C01 400 (0.8889), C02 50 of 450; Beta 300 (0.6667), Alfa 150
#   M3: C01 200 (0.6061), C02 130 of 330; Alfa 250 (0.7576)
#   M4: C01 300 (0.75), C02 100; Beta 300, Alfa 100
# Visits (sale receipts), weekday / band / store:
#   M1 Tue 10:00 S1, Tue 18:30 S1, Fri 18:45 S1, Fri 09:00 S2: Tue and Fri tie -> Tue;
#      morning and evening tie -> morning; S1 3 of 4
#   M2 Sun 12:00 S2, Wed 07:30 S2: Wed (Monday first), morning (earlier band), S2
#   M3 Mon 10:00, Sat 13:00: Mon, morning;  M4 Wed 20:00, Thu 15:00: Wed, afternoon
$ seg_setup
receipts 13, lines 17, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ karta preferences --as-of 2026-03-01 --format csv
member,top_categories,top_brands,weekday,weekday_share,hour_band,hour_band_share,store,store_share
M1,C01:0.5000;C02:0.5000,Alfa:0.6667,Tue,0.5000,morning,0.5000,S1,0.7500
M2,C01:0.8889;C02:0.1111,Beta:0.6667;Alfa:0.3333,Wed,0.5000,morning,0.5000,S2,1.0000
M3,C01:0.6061;C02:0.3939,Alfa:0.7576,Mon,0.5000,morning,0.5000,S1,1.0000
M4,C01:0.7500;C02:0.2500,Beta:0.7500;Alfa:0.2500,Wed,0.5000,afternoon,0.5000,S1,1.0000
# one member, leaf categories, the top one only: C0101 (P1) 600 and C0201 (P3, P4) 600 tie
$ karta preferences --as-of 2026-03-01 --member M1 --level category --top 1 --format json
{
 "as_of":"2026-03-01",
 "members":[
  {"member":"M1", "top_categories":"C0101:0.5000", "top_brands":"Alfa:0.6667", "weekday":"Tue", "weekday_share":0.5000, "hour_band":"morning", "hour_band_share":0.5000, "store":"S1", "store_share":0.7500}
 ]
}
# M5 bought only after the as-of day: no row; with the default as-of (2026-03-02) one
$ karta preferences --as-of 2026-03-01 --member M5 --format csv; karta preferences --member M5 --format csv
member,top_categories,top_brands,weekday,weekday_share,hour_band,hour_band_share,store,store_share
member,top_categories,top_brands,weekday,weekday_share,hour_band,hour_band_share,store,store_share
M5,C01:1.0000,Beta:1.0000,Mon,1.0000,morning,1.0000,S2,1.0000
# February in S1 only: M1 Tue 18:30 and Fri 18:45 -> evening 1.0; M4 Thu 15:00
$ karta preferences --from 2026-02-01 --to 2026-02-28 --store S1 --format csv
member,top_categories,top_brands,weekday,weekday_share,hour_band,hour_band_share,store,store_share
M1,C02:0.8571;C01:0.1429,Alfa:0.4286,Tue,0.5000,evening,1.0000,S1,1.0000
M4,C02:1.0000,Alfa:1.0000,Thu,1.0000,afternoon,1.0000,S1,1.0000
$ karta preferences --help | tail -6
  night      00:00-06:00
  morning    06:00-11:00
  midday     11:00-14:00
  afternoon  14:00-17:00
  evening    17:00-21:00
  late       21:00-24:00
# bad parameters
$ karta preferences --member M9
karta: not_found: --member: no member "M9" in the history
[exit 3]
$ karta preferences --top 0
karta: invalid_input: --top: "0" is out of range (1..20)
[exit 4]
$ karta preferences --level brand
karta: usage: --level: want top or category, not "brand"
[exit 2]
$ karta preferences --region Нигде
karta: not_found: --region: no store in region "Нигде"
[exit 3]
# an empty store
$ rm -rf data; karta init >/dev/null; karta preferences --format csv; karta preferences --format json
member,top_categories,top_brands,weekday,weekday_share,hour_band,hour_band_share,store,store_share
{
 "as_of":null,
 "members":[]
}
# every column against the same query in SQLite on a generated chain
$ seg_gen
receipts 1370, lines 9514, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
$ seg_prefs_vs_sqlite 2026-02-20; seg_prefs_vs_sqlite 2026-03-10
same preferences for 223 rows
same preferences for 245 rows
$ karta preferences --threads 1 --format csv | md5sum >p1; karta preferences --threads 3 --format csv | md5sum >p3; cmp p1 p3 && echo same with 1 and 3 threads
same with 1 and 3 threads
