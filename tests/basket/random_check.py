#!/usr/bin/env python3
"""random_check.py CASES [SEED] - `karta basket --baskets` against ref_rules.py
on CASES random small inputs with random parameters.

Each input has 20..400 baskets of 0..12 items drawn from 4..16 labels with a
skewed popularity, some labels padded with spaces, some repeated within a
basket, some baskets blank. Parameters: support, confidence, --min-len,
--max-len and, now and then, --rhs. Prints "N cases, R rules: same" or the
first case that differs (its file is kept as random_case.txt)."""
import io
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_rules  # noqa: E402


def make_case(rng):
    n = rng.randint(20, 400)
    m = rng.randint(4, 16)
    names = ["item %02d" % i if i % 3 else "x%d" % i for i in range(m)]
    weights = [1.0 / (1 + i) ** rng.uniform(0.3, 1.2) for i in range(m)]
    lines = []
    for _ in range(n):
        k = min(int(rng.expovariate(1 / rng.uniform(1.5, 5.0))), 12)
        basket = rng.choices(names, weights=weights, k=k)
        if basket and rng.random() < 0.1:
            basket.append(basket[0])
        lines.append(",".join((" " if rng.random() < 0.2 else "") + b for b in basket))
    args = ["--min-support", rng.choice(["0.01", "0.02", "0.05", "0.07", "0.1", "0.2", "0.3"]),
            "--min-confidence", rng.choice(["0", "0.1", "0.3", "0.5", "0.6", "0.8", "1"])]
    lo = rng.choice([1, 1, 2, 3])
    hi = rng.choice([lo, lo + 1, 4, 10])
    args += ["--min-len", str(lo), "--max-len", str(max(lo, hi))]
    if rng.random() < 0.2:
        args += ["--rhs", rng.choice(names)]
    return "\n".join(lines) + "\n", args


def main():
    cases = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    karta = os.environ.get("KARTA", "karta")
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "b.txt")
        for case in range(cases):
            text, args = make_case(rng)
            with open(path, "w") as f:
                f.write(text)
            got = subprocess.run([karta, "basket", "--baskets", path, "--format", "csv"] + args,
                                 capture_output=True, text=True)
            opts = dict(zip(args[::2], args[1::2]))
            rhs = opts.get("--rhs")
            items = {x.strip() for line in text.splitlines() for x in line.split(",") if x.strip()}
            if rhs is not None and rhs not in items:
                if got.returncode != 3:
                    print("case %d %s: want exit 3 for an unknown --rhs, got %d" % (case, args, got.returncode))
                    return 1
                continue
            if got.returncode != 0:
                print("case %d %s: exit %d: %s" % (case, args, got.returncode, got.stderr))
                return 1
            rules = ref_rules.mine(ref_rules.read_baskets(path), float(opts["--min-support"]),
                                   float(opts["--min-confidence"]), int(opts["--min-len"]),
                                   int(opts["--max-len"]), rhs)
            buf = io.StringIO()
            old, sys.stdout = sys.stdout, buf
            ref_rules.write(rules)
            sys.stdout = old
            a, b = os.path.join(tmp, "a.csv"), os.path.join(tmp, "r.csv")
            with open(a, "w") as f:
                f.write(got.stdout)
            with open(b, "w") as f:
                f.write(buf.getvalue())
            out = io.StringIO()
            sys.stdout = out
            bad = ref_rules.compare(a, b)
            sys.stdout = old
            if bad:
                with open("random_case.txt", "w") as f:
                    f.write(text)
                print("case %d %s differs (input in random_case.txt):\n%s" % (case, args, out.getvalue()))
                return 1
            total += len(rules)
    print("%d cases, %d rules: same" % (cases, total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
