#!/usr/bin/env python3
"""ref_rules.py - an independent reference miner for `karta basket`.

Level-wise (apriori) search over transaction-id bitsets, written from the
definitions and not from karta's code, so that the two can be compared rule
for rule:

  ref_rules.py FILE --min-support S --min-confidence C [--min-len N]
               [--max-len N] [--rhs ITEM]       -> CSV on stdout
  ref_rules.py --compare A.csv B.csv            -> "same N rules" or the differences

Definitions (those of R's arules apriori with its defaults):
  baskets   one a line, items split at commas, trimmed, duplicates dropped;
            a blank line is an empty basket (it counts in N)
  count     number of baskets holding every item of lhs and rhs
  minimum   count >= ceil(N * S) evaluated in double precision (arules'
            istree.c), confidence >= C - 1e-12
  length    items of lhs + rhs, from --min-len (1) to --max-len (10); a rule
            of length 1 has an empty lhs
  support   count / N; confidence count / count(lhs); lift confidence /
            (count(rhs) / N); leverage support - support(lhs) * support(rhs);
            conviction (1 - support(rhs)) / (1 - confidence), "Inf" when the
            confidence is 1
"""
import math
import sys


def read_baskets(path):
    baskets = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if line.strip() == "":
                baskets.append(frozenset())
                continue
            baskets.append(frozenset(x.strip() for x in line.split(",")))
    return baskets


def mine(baskets, supp, conf, minlen, maxlen, rhs_only):
    n = len(baskets)
    smin = math.ceil(n * supp)
    tids = {}
    for t, b in enumerate(baskets):
        for item in b:
            tids[item] = tids.get(item, 0) | (1 << t)
    count = {frozenset(): n}
    bits = {frozenset(): (1 << n) - 1}
    level = []
    for item, tb in tids.items():
        c = bin(tb).count("1")
        if c >= smin:
            s = frozenset([item])
            count[s] = c
            bits[s] = tb
            level.append(s)
    k = 1
    while level and k < maxlen:
        frequent = set(level)
        items = sorted({i for s in level for i in s})
        nxt = set()
        for s in level:
            for i in items:
                if i in s:
                    continue
                cand = s | {i}
                if cand in nxt or cand in count:
                    continue
                if any((cand - {j}) not in frequent for j in cand):
                    continue
                b = bits[s] & tids[i]
                c = bin(b).count("1")
                if c >= smin:
                    count[cand] = c
                    bits[cand] = b
                    nxt.add(cand)
                else:
                    count[cand] = -1
        level = list(nxt)
        k += 1
    rules = []
    for s, c in count.items():
        if c < smin or len(s) < minlen or len(s) > maxlen or len(s) == 0:
            continue
        for head in s:
            if rhs_only is not None and head != rhs_only:
                continue
            body = s - {head}
            cb = count[body]
            confidence = c / cb
            if confidence < conf - 1e-12:
                continue
            sr = count[frozenset([head])] / n
            support = c / n
            lift = confidence / sr
            leverage = support - (cb / n) * sr
            conviction = math.inf if confidence >= 1 else (1 - sr) / (1 - confidence)
            rules.append((sorted(body, key=lambda x: x.encode()), head, support, confidence, lift, c,
                          conviction, leverage))
    return rules


def fmt(x):
    return "Inf" if x == math.inf else repr(x)


def write(rules):
    print("lhs,rhs,support,confidence,lift,count,conviction,leverage")
    for r in sorted(rules, key=lambda r: ("|".join(r[0]).encode(), r[1].encode())):
        print('%s,%s,%s,%s,%s,%d,%s,%s' % ("|".join(r[0]), r[1], fmt(r[2]), fmt(r[3]), fmt(r[4]), r[5],
                                            fmt(r[6]), fmt(r[7])))


def load_csv(path):
    import csv
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        head = next(rd, None)
        if head != ["lhs", "rhs", "support", "confidence", "lift", "count", "conviction", "leverage"]:
            sys.exit("%s: unexpected header %r" % (path, head))
        for r in rd:
            key = (r[0], r[1])
            if key in rows:
                sys.exit("%s: rule %s => %s twice" % (path, r[0], r[1]))
            rows[key] = r[2:]
    return rows


def close(a, b):
    if a == "Inf" or b == "Inf":
        return a == b
    x, y = float(a), float(b)
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


def compare(pa, pb):
    a, b = load_csv(pa), load_csv(pb)
    bad = []
    for k in sorted(set(a) | set(b)):
        if k not in a:
            bad.append("only in %s: %s => %s" % (pb, k[0], k[1]))
        elif k not in b:
            bad.append("only in %s: %s => %s" % (pa, k[0], k[1]))
        else:
            names = ["support", "confidence", "lift", "count", "conviction", "leverage"]
            for name, x, y in zip(names, a[k], b[k]):
                if not close(x, y):
                    bad.append("%s => %s: %s %s vs %s" % (k[0], k[1], name, x, y))
    if bad:
        print("\n".join(bad[:20]))
        print("%d differences" % len(bad))
        return 1
    print("same %d rules" % len(a))
    return 0


def main(argv):
    if len(argv) >= 1 and argv[0] == "--compare":
        return compare(argv[1], argv[2])
    path, opts = None, {"--min-len": "1", "--max-len": "10", "--rhs": None}
    i = 0
    while i < len(argv):
        if argv[i].startswith("--"):
            opts[argv[i]] = argv[i + 1]
            i += 2
        else:
            path = argv[i]
            i += 1
    rules = mine(read_baskets(path), float(opts["--min-support"]), float(opts["--min-confidence"]),
                 int(opts["--min-len"]), int(opts["--max-len"]), opts["--rhs"])
    write(rules)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
