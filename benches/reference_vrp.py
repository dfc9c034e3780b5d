#!/usr/bin/env python3
"""Reference plans for the vehicle-routing benchmark (benches/vrp.rs), by PyVRP.

Usage: reference_vrp.py INSTANCE.json SOLUTION.json SECONDS [SEED]

Reads an instance written by benches/vrp.rs (its "solver" object holds the integer data our
solver sees: capacities in litres and kg, shifts, demands, service seconds, windows in seconds
since midnight, and the distance (metres) and duration (seconds) matrices, node 0 the depot)
and solves it with PyVRP's hybrid genetic search for SECONDS of wall time on the SAME integer
matrices. Writes {"routes": [{"vehicle": i, "jobs": [...]}], "unassigned": [...],
"distance": metres, "seconds": wall time}.

Modelling, to match our objective (fewest unassigned jobs, then least distance):
  * every job is optional with a prize far above any plan's distance, so PyVRP drops a job
    only when it cannot fit, exactly like an unassigned job costs us more than any distance;
  * a job with several windows becomes one optional client per window, all at the job's
    location, in a mutually exclusive client group (at most one is visited);
  * deliveries are PyVRP "delivery" loads (on board from the depot), pickups "pickup" loads
    (on board until the depot), in two dimensions; PyVRP checks the load at every point;
  * vans with the same capacity and shift form one vehicle type; its routes are mapped back
    to distinct vehicle indices of that type.
"""

import json
import sys
import time

# Larger than any plan's total metres (a 200-job day is a few thousand km: 10^8 m is
# 100,000 km), small enough to keep PyVRP's 64-bit cost sums far from overflow.
PRIZE = 10**8
# PyVRP weighs infeasibility (seconds of time warp, units of excess load) by adaptive
# penalties capped at max_penalty (default 1e5). Capped below the prize, serving a job with a
# small violation always looks cheaper than dropping it, and on instances where not every job
# fits PyVRP never gets feasible. Above the prize, dropping wins in the end; the initial
# penalties stay PyVRP's defaults so that its search is unchanged otherwise.
MAX_PENALTY = 10.0 * PRIZE


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    instance_path, solution_path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    try:
        from pyvrp import Model, PenaltyParams, SolveParams
        from pyvrp.stop import MaxRuntime
    except ImportError:
        sys.exit("reference_vrp.py: PyVRP is not installed (pip install pyvrp)")

    class Penalties(PenaltyParams):
        def midpoint_penalties(self, data):
            return PenaltyParams().midpoint_penalties(data)

    with open(instance_path) as f:
        data = json.load(f)["solver"]
    dist, dur = data["distance"], data["duration"]
    n = len(data["demands"])

    m = Model()
    locations = [m.add_location(0, 0)]
    locations += [m.add_location(0, 0) for _ in range(n)]
    depot = m.add_depot(locations[0])

    types = {}  # (capacity, shift) -> list of vehicle indices
    for v, (cap, shift) in enumerate(zip(data["capacities"], data["shifts"])):
        types.setdefault((tuple(cap), tuple(shift)), []).append(v)
    type_vehicles = []
    for (cap, (start, end)), vehicles in types.items():
        m.add_vehicle_type(
            len(vehicles),
            capacity=list(cap),
            start_depot=depot,
            end_depot=depot,
            tw_early=start,
            tw_late=end,
        )
        type_vehicles.append(vehicles)

    client_job = []  # PyVRP client index -> job index
    for j in range(n):
        demand = data["demands"][j]
        zero = [0] * len(demand)
        delivery, pickup = (demand, zero) if data["kinds"][j] == "delivery" else (zero, demand)
        windows = data["windows"][j] or [[0, 10**9]]
        group = m.add_client_group(required=False) if len(windows) > 1 else None
        for start, end in windows:
            m.add_client(
                locations[j + 1],
                delivery=delivery,
                pickup=pickup,
                service_duration=data["services"][j],
                tw_early=start,
                tw_late=end,
                required=False,
                prize=PRIZE,
                group=group,
            )
            client_job.append(j)

    for a, la in enumerate(locations):
        for b, lb in enumerate(locations):
            if a != b:
                m.add_edge(la, lb, distance=dist[a][b], duration=dur[a][b])

    began = time.perf_counter()
    params = SolveParams(penalty=Penalties(max_penalty=MAX_PENALTY))
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False, params=params)
    elapsed = time.perf_counter() - began
    best = result.best
    if not best.is_feasible():
        sys.exit("reference_vrp.py: PyVRP found no feasible plan")

    next_free = [0] * len(type_vehicles)
    routes, served, total = [], set(), 0
    for route in best.routes():
        t = route.vehicle_type()
        vehicle = type_vehicles[t][next_free[t]]
        next_free[t] += 1
        jobs = []
        for activity in route.schedule():
            if activity.is_client():
                job = client_job[activity.idx]
                jobs.append(job)
                served.add(job)
        routes.append({"vehicle": vehicle, "jobs": jobs})
        total += route.distance()
    out = {
        "solver": f"pyvrp-{seconds:g}s",
        "routes": routes,
        "unassigned": [j for j in range(n) if j not in served],
        "distance": total,
        "seconds": elapsed,
    }
    with open(solution_path, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
