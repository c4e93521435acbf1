"""Prints a scenario whose one journey is a chain of N pages (argv[1]), each leading to
the next or out with probability 1/2: slow to set up when N is in the thousands, and
then long to simulate (200 h at 50 sessions/s) in hour buckets."""

import sys

n = int(sys.argv[1])
print("name: long-journey\nduration: 200h\nbucket: 1h\ntraffic: {rate: 50}")
print("services:\n  web: {type: server_pool, instances: 10, service: 10ms}")
print("journeys:\n  only:\n    share: 1\n    pages:")
for i in range(n):
    following = f"p{i + 1}: 0.5, exit: 0.5" if i + 1 < n else "exit: 1"
    print(f"      p{i}: {{call: web, next: {{{following}}}}}")
