#!/usr/bin/env python3
"""What a poller could reach on bench freshness's scenario if it knew everything portd has to
learn: an offline model (no daemon, no simulator) of the same orders — lognormal stays, sigma
0.5, per state and losing carrier, 1 in 5 with today's port date — polled at a fixed budget by
(a) round-robin and (b) an index poller that knows each order's true dwell distribution and
the true start of its stay, checking next the order whose news has waited longest in
expectation (portd's rule) or (c) the one likeliest to have moved. Latency percentiles as the
bench computes them (flips in the last tenth left out). Rejections, cancels and stuck orders are
left out. Python 3 standard library only; ~1 min for all four cells. `--uniform`: stays drawn
uniformly within ±50 % of the median instead (the spread of the issue's own trial).

    tools/bench/freshness_model.py [--uniform]
"""
import math
import random
import sys
UNIFORM = "--uniform" in sys.argv[1:]
SIG = 0.5
MED = [600, 1200, 3600, 3600]  # submitted, carrier approval, decision, completion (world s)
PORT_DATE = 900
CARR = [1.0, 0.5, 1.5]

def orders(n, seed=7):
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        f = CARR[i % 3]; dated = i % 5 == 1
        meds = [m * f for m in MED]
        if dated: meds[3] = PORT_DATE * f
        t, flips = 0.0, []
        for m in meds:
            t += m * (rnd.uniform(0.5, 1.5) if UNIFORM else math.exp(SIG * rnd.gauss(0, 1))); flips.append((t, m))
        out.append(flips)
    return out

def S(t, m):  # survival of a stay of median m (lognormal, or uniform within ±50 %)
    if t <= 0: return 1.0
    if UNIFORM:
        return 1.0 if t <= 0.5 * m else max(0.0, (1.5 * m - t) / m)
    return 0.5 * math.erfc(math.log(t / m) / (SIG * math.sqrt(2)))

def run(n, budget, policy, window=3 * 3600, seed=7, mode="sqrt"):
    ods = orders(n, seed)
    step = 60.0 / budget
    nxt = [0] * n            # index of the next flip per order
    last = [0.0] * n         # last check
    seen = {}                # (i, j) -> detection time
    active = set(range(n))
    cyc, pos = list(range(n)), 0
    random.Random(1).shuffle(cyc)
    t = 0.0
    while t < window and active:
        # flips that happened by t
        if policy == "rr":
            while True:
                pos %= len(cyc); i = cyc[pos]
                if i in active: break
                cyc.pop(pos)
            pos += 1
        else:
            best, bs = None, -1
            for i in active:
                j = nxt[i]
                start = ods[i][j - 1][0] if j else 0.0
                m = ods[i][j][1]
                a, b = max(last[i], start), t
                if b <= a: continue
                sa = S(a - start, m)
                P = lambda x: (sa - S(x - start, m)) / sa if sa > 1e-12 else 1.0
                if mode == "sqrt":
                    sc = (b - a) * (4 * P((a + b) / 2) + P(b)) / 6
                else:
                    sc = P(b)
                if sc > bs: best, bs = i, sc
            i = best if best is not None else next(iter(active))
        last[i] = t
        while nxt[i] < 4 and ods[i][nxt[i]][0] <= t:
            seen[(i, nxt[i])] = t; nxt[i] += 1
        if nxt[i] == 4: active.discard(i)
        t += step
    cut = window * 0.9
    lat = []
    for i, fl in enumerate(ods):
        for j, (ft, _) in enumerate(fl):
            if ft > cut: continue
            # seen when a later flip was seen first
            d = min([seen[(i, q)] for q in range(j, 4) if (i, q) in seen] or [window])
            lat.append(d - ft)
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, max(0, -(-len(lat) * p // 100) - 1))] / 60
    return pct(50), pct(95), len(lat)

if __name__ == "__main__":
    for budget, n in [(50, 30), (50, 300), (300, 30), (300, 300)]:
        rr = run(n, budget, "rr")
        ix = run(n, budget, "index", mode="sqrt")
        pp = run(n, budget, "index", mode="p")
        print("%d/min x %d orders, world minutes: round-robin p50 %.2f p95 %.2f | knowing, waited news p50 %.2f p95 %.2f "
              "(x rr %.2f, %.2f) | knowing, likeliest p50 %.2f p95 %.2f (x rr %.2f, %.2f)"
              % (budget, n, rr[0], rr[1], ix[0], ix[1], ix[0] / rr[0], ix[1] / rr[1], pp[0], pp[1], pp[0] / rr[0], pp[1] / rr[1]), flush=True)
