# A5 rules against the independent reference miner (tests/basket/ref_rules.py) on random
# small baskets files with random parameters: skewed item popularity, padded labels,
# repeats within a basket, blank lines; support, confidence, lengths and --rhs varied.
$ KARTA=karta python3 "$KARTA_TESTS/basket/random_check.py" 60 7
60 cases, 3539 rules: same
