"""Prints a valid-looking scenario that is large in one dimension (argv[1]) by N (argv[2]):

    pages     one journey of N pages, each linking to the next and to a far page
    journeys  N one-page journeys
    chain     N services, each calling the next (a call chain N deep)
"""

import sys

kind, n = sys.argv[1], int(sys.argv[2])
print("name: large\nduration: 10m\ntraffic: {rate: 10}")
if kind == "pages":
    print("journeys:\n  only:\n    share: 1\n    pages:")
    for i in range(n):
        if i + 1 < n:
            following = f"p{i + 1}: 0.5, p{i * 7919 % n}: 0.3, exit: 0.2"
        else:
            following = "exit: 1"
        order = ", order: {value: 100}" if i % 100 == 99 else ""
        print(f"      p{i}: {{call: web, next: {{{following}}}{order}}}")
    print("services:\n  web: {type: server_pool, instances: 10, service: 1ms}")
elif kind == "journeys":
    print("journeys:")
    for i in range(n):
        print(f"  j{i}:\n    share: {1 / n!r}\n    pages:\n      home: {{call: web, next: {{exit: 1}}}}")
    print("services:\n  web: {type: server_pool, instances: 10, service: 1ms}")
elif kind == "chain":
    print("journeys:\n  only:\n    share: 1\n    pages:\n      home: {call: s0, next: {exit: 1}}")
    print("services:")
    for i in range(n):
        calls = f", calls: [{{to: s{i + 1}}}]" if i + 1 < n else ""
        print(f"  s{i}: {{type: server_pool, instances: 1, workers: 100, service: 1ms{calls}}}")
else:
    sys.exit(f"unknown kind {kind!r}: pages, journeys or chain")
