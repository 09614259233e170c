# Every report on a store without receipts: headers only (activity lists the periods of a given range).
$ karta init >/dev/null; for r in $(karta report --list --format csv | tail -n +2 | cut -d, -f1); do karta report $r --format csv || echo "FAILED $r"; done
period,receipts,lines,units,sales,members
period,accrued,redeemed,expired,reversed,adjusted,outstanding
sex,age,members,buyers,buyer_share,share
period,members,new,buyers,new_buyers,active,active_share
item,buyers,repeat_buyers,repeat_share,sales,wallet_share
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
store,period,receipts,sales,prev_sales,change,change_share
sex,age,buyers,receipts,sales,share,avg_receipt,sales_per_buyer
rank,member,receipts,items,items_per_receipt,units_per_receipt
rank,member,receipts,sales
member,registered,last_purchase,days_inactive,receipts,sales
store,receipts,card_receipts,members,receipts_per_member,sales,avg_receipt
rank,member,sales,receipts
store,period,registrations,buyers,receipts,receipts_here,here_share
$ karta report --list --format csv | wc -l
15
$ karta report sales --format json
{
 "as_of":null,
 "report":"sales",
 "sales":[]
}
$ karta report stock --to 2026-03-01 --format csv
store,sku,units_sold,sales,avg_daily_units,stock_day,stock,days_cover
$ karta report activity --from 2026-01-01 --to 2026-03-01 --format csv
period,members,new,buyers,new_buyers,active,active_share
2026-01,0,0,0,0,0,
2026-02,0,0,0,0,0,
2026-03,0,0,0,0,0,
$ karta report inactive --format csv
member,registered,last_purchase,days_inactive,receipts,sales
$ karta report r11 --help | head -2
usage: karta report inactive [options]
R11: members with no purchase for N days, with their last purchase and spend.
