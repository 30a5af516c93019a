"""CPython's ThreadPoolExecutor as the reference for benches/pool.rs.

  pool_roundtrip.py N WORKERS   prints the mean ns of one submit().result()
                                round trip of a trivial function, over N

The pool is warmed first, so its threads exist before timing starts.
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor


def trivial(a, b):
    return a + b


def main():
    n, workers = int(sys.argv[1]), int(sys.argv[2])
    with ThreadPoolExecutor(max_workers=workers) as ex:
        for _ in range(1000):
            ex.submit(trivial, 1, 2).result()
        start = time.perf_counter_ns()
        for _ in range(n):
            ex.submit(trivial, 1, 2).result()
        elapsed = time.perf_counter_ns() - start
    print(elapsed / n)


if __name__ == "__main__":
    main()
