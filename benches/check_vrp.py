#!/usr/bin/env python3
"""Independent feasibility checker for vehicle-routing plans (benches/vrp.rs).

Usage: check_vrp.py INSTANCE.json SOLUTION.json

Written from the service's rules, not from the solver's code. The instance's "solver" object
gives, in integers: per vehicle "capacities" [volume litres, weight kg] and "shifts" [start,
end] (seconds since midnight); per job "kinds" ("delivery" or "pickup"), "demands",
"services" (seconds) and "windows" ([[start, end], ...], service must START inside one,
empty = always open); "distance" (metres) and "duration" (seconds) matrices, node 0 the
depot and node j + 1 job j.

The solution: {"routes": [{"vehicle": v, "jobs": [j, ...], optional "depot_departure",
"arrivals", "service_starts", "departures", "depot_return", "distance"}], "unassigned":
[j, ...] or [[j, reason], ...], "distance": total metres}.

Rules checked: each vehicle used at most once; each job served at most once and either served
or listed unassigned; deliveries are all on board when leaving the depot and each stop
removes its delivery and adds its pickup, and the load never exceeds the capacity in either
dimension at any point; the van leaves the depot no earlier than its shift start, may wait
for a window to open, starts each service inside one of the job's windows, and is back by
its shift end. Without reported times the earliest schedule (leave at shift start, wait when
early, first window still open) is simulated; with reported times, their consistency is
checked (arrival = previous departure + travel, start >= arrival, departure = start +
service). The total distance is recomputed from the matrix and must equal the reported one.

Prints "OK unassigned=U distance=D routes=R" and exits 0, or prints the first violation and
exits 1.
"""

import json
import sys


def fail(message):
    print(f"INFEASIBLE: {message}")
    sys.exit(1)


def in_window(windows, t):
    return not windows or any(a <= t <= b for a, b in windows)


def first_start(windows, arrival):
    """Earliest service start at or after `arrival` inside a window, or None."""
    if not windows:
        return arrival
    for a, b in windows:
        if arrival <= b:
            return max(arrival, a)
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        inst = json.load(f)["solver"]
    with open(sys.argv[2]) as f:
        sol = json.load(f)

    dist, dur = inst["distance"], inst["duration"]
    caps, shifts = inst["capacities"], inst["shifts"]
    kinds, demands = inst["kinds"], inst["demands"]
    services, windows = inst["services"], inst["windows"]
    n = len(demands)
    if len(dist) != n + 1 or len(dur) != n + 1:
        fail("matrix size does not match the jobs")

    served = {}
    used_vehicles = set()
    total = 0
    for r, route in enumerate(sol["routes"]):
        v = route["vehicle"]
        if not (0 <= v < len(caps)):
            fail(f"route {r}: unknown vehicle {v}")
        if v in used_vehicles:
            fail(f"vehicle {v} drives two routes")
        used_vehicles.add(v)
        jobs = route["jobs"]
        for j in jobs:
            if not (0 <= j < n):
                fail(f"route {r}: unknown job {j}")
            if j in served:
                fail(f"job {j} served twice (routes {served[j]} and {r})")
            served[j] = r
        if not jobs:
            continue
        cap = caps[v]
        dims = len(cap)

        # Loads: all deliveries on board at departure, then stop by stop.
        load = [0] * dims
        for j in jobs:
            if kinds[j] == "delivery":
                load = [load[k] + demands[j][k] for k in range(dims)]
        if any(load[k] > cap[k] for k in range(dims)):
            fail(f"route {r} (vehicle {v}): leaves the depot with {load} > capacity {cap}")
        for i, j in enumerate(jobs):
            sign = -1 if kinds[j] == "delivery" else 1
            load = [load[k] + sign * demands[j][k] for k in range(dims)]
            if any(load[k] > cap[k] for k in range(dims)):
                fail(f"route {r} (vehicle {v}): load {load} > capacity {cap} after stop {i} (job {j})")

        # Times.
        shift_start, shift_end = shifts[v]
        reported = "service_starts" in route
        time = route["depot_departure"] if reported else shift_start
        if time < shift_start:
            fail(f"route {r}: leaves the depot at {time}, before shift start {shift_start}")
        prev = 0
        length = 0
        for i, j in enumerate(jobs):
            node = j + 1
            arrival = time + dur[prev][node]
            length += dist[prev][node]
            if reported:
                if route["arrivals"][i] != arrival:
                    fail(f"route {r} stop {i}: reported arrival {route['arrivals'][i]} != {arrival}")
                start = route["service_starts"][i]
                if start < arrival:
                    fail(f"route {r} stop {i}: service starts before arrival")
                if route["departures"][i] != start + services[j]:
                    fail(f"route {r} stop {i}: departure != service start + service time")
            else:
                start = first_start(windows[j], arrival)
                if start is None:
                    fail(f"route {r} stop {i}: job {j} reached at {arrival}, after its last window {windows[j]}")
            if not in_window(windows[j], start):
                fail(f"route {r} stop {i}: job {j} service starts at {start}, outside {windows[j]}")
            time = start + services[j]
            prev = node
        back = time + dur[prev][0]
        length += dist[prev][0]
        if reported and route.get("depot_return", back) != back:
            fail(f"route {r}: reported return {route['depot_return']} != {back}")
        if back > shift_end:
            fail(f"route {r} (vehicle {v}): back at {back}, after shift end {shift_end}")
        if "distance" in route and route["distance"] != length:
            fail(f"route {r}: reported distance {route['distance']} != {length}")
        total += length

    unassigned = set()
    for entry in sol.get("unassigned", []):
        j = entry[0] if isinstance(entry, list) else entry
        if j in served or j in unassigned or not (0 <= j < n):
            fail(f"unassigned job {j} is unknown, repeated or also served")
        unassigned.add(j)
    missing = [j for j in range(n) if j not in served and j not in unassigned]
    if missing:
        fail(f"jobs neither served nor unassigned: {missing[:10]}")
    if total != sol["distance"]:
        fail(f"reported total distance {sol['distance']} != recomputed {total}")
    routes = sum(1 for route in sol["routes"] if route["jobs"])
    print(f"OK unassigned={len(unassigned)} distance={total} routes={routes}")


if __name__ == "__main__":
    main()
