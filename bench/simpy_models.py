"""The bench's M/M/1 and mini shop in SimPy, the peer surgesim is measured against.

Usage: simpy_models.py mm1|mini-shop CUSTOMERS

Runs the model (the same parameters as bench/mm1.yaml and bench/mini-shop.yaml, written
the way SimPy's own examples write a queue: a process per customer, a Resource per
station) and prints one JSON line: customers, station visits, the simulated span and
the mean response (M/M/1: 10 s in theory) or the visits per customer (6.27). The
caller times the whole process, interpreter start included, as it times surgesim.
"""

import json
import random
import sys

import simpy

SEED = 1


def mm1(customers):
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    rng = random.Random(SEED)
    response = [0.0]

    def customer():
        arrived = env.now
        with server.request() as request:
            yield request
            yield env.timeout(rng.expovariate(1.0))
        response[0] += env.now - arrived

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(0.9))
            env.process(customer())

    env.process(source())
    env.run()
    return {"customers": customers, "visits": customers, "simulated_s": env.now,
            "mean_response_s": response[0] / customers}


# Station: workers and mean service time; routing: where a customer goes after it.
STATIONS = {"web": (40, 0.100), "cache": (4, 0.010), "db": (6, 0.040), "payment": (20, 0.150)}
ROUTES = {
    "web": [("cache", 0.4), ("db", 0.3), ("payment", 0.1), (None, 0.2)],
    "cache": [("web", 0.8), ("db", 0.2)],
    "db": [("web", 1.0)],
    "payment": [(None, 1.0)],
}


def mini_shop(customers):
    env = simpy.Environment()
    pools = {name: simpy.Resource(env, capacity=workers)
             for name, (workers, _) in STATIONS.items()}
    rng = random.Random(SEED)
    visits = [0]

    def next_station(station):
        u = rng.random()
        for target, p in ROUTES[station]:
            if u < p:
                return target
            u -= p
        return ROUTES[station][-1][0]

    def customer():
        station = "web"
        while station is not None:
            visits[0] += 1
            with pools[station].request() as request:
                yield request
                yield env.timeout(rng.expovariate(1.0 / STATIONS[station][1]))
            station = next_station(station)

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(100.0))
            env.process(customer())

    env.process(source())
    env.run()
    return {"customers": customers, "visits": visits[0], "simulated_s": env.now,
            "visits_per_customer": visits[0] / customers}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("mm1", "mini-shop"):
        sys.exit("usage: simpy_models.py mm1|mini-shop CUSTOMERS")
    model = mm1 if sys.argv[1] == "mm1" else mini_shop
    result = model(int(sys.argv[2]))
    result["simpy"] = simpy.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    main()
