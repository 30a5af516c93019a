#!/usr/bin/env python3
"""The workload of benches/queue.rs through CPython's queue.Queue.

P producer threads put ITEMS ints in total; C consumer threads get each one and call
task_done(); the consumers stop when a sentinel arrives (one per consumer; Python 3.13's
Queue.shutdown() is used instead when it exists). Prints items/s and ns per item so the
ratio to the Rust table in BENCHMARKS.md can be read off.

    python3 benches/python/queue_bench.py            # 100_000 items, best of 5
    python3 benches/python/queue_bench.py 200000 3   # items, repetitions
"""

import queue
import sys
import threading
import time

CAP = 1024
_STOP = object()


def run(items, producers, consumers, bounded):
    q = queue.Queue(CAP if bounded else 0)
    has_shutdown = hasattr(q, "shutdown")
    sums = [0] * consumers

    def consume(i):
        total = 0
        get, task_done = q.get, q.task_done
        while True:
            try:
                v = get()
            except getattr(queue, "ShutDown", ()):
                break
            if v is _STOP:
                task_done()
                break
            total += v
            task_done()
        sums[i] = total

    def produce(start, stop):
        put = q.put
        for v in range(start, stop):
            put(v)

    per = items // producers
    start = time.perf_counter()
    cs = [threading.Thread(target=consume, args=(i,)) for i in range(consumers)]
    ps = [threading.Thread(target=produce, args=(i * per, (i + 1) * per)) for i in range(producers)]
    for t in cs + ps:
        t.start()
    for t in ps:
        t.join()
    if has_shutdown:
        q.shutdown()
    else:
        for _ in range(consumers):
            q.put(_STOP)
    for t in cs:
        t.join()
    elapsed = time.perf_counter() - start
    assert sum(sums) == items * (items - 1) // 2, "lost or duplicated items"
    return elapsed


def main():
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"CPython {sys.version.split()[0]} queue.Queue, {items} items, best of {reps}")
    print(f"{'queue':<12} {'P/C':<5} {'items/s':>12} {'ns/item':>10}")
    for bounded in (False, True):
        for p, c in ((1, 1), (2, 2), (4, 4)):
            best = min(run(items, p, c, bounded) for _ in range(reps))
            name = f"bounded{CAP}" if bounded else "unbounded"
            print(f"{name:<12} {p}/{c:<3} {items / best:>12,.0f} {best / items * 1e9:>10.0f}")


if __name__ == "__main__":
    main()
