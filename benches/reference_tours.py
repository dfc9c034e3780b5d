#!/usr/bin/env python3
"""Best known tour lengths for the tour benchmark (benches/tours.rs), by LKH-3.

Reads on stdin   {"instances": [{"name": "...", "matrix": [[metres, ...], ...]}, ...]}
writes on stdout {"name": best_length_in_metres, ...}

LKH-3 (Helsgaun's Lin-Kernighan implementation, through PyPI's `elkai` binding) is the
reference because it finds optimal or near-optimal tours at these sizes (hundreds of stops);
with several runs per instance its length is the "best known" that our optimiser's gap is
measured against. The matrices are integer metres, symmetric, with node 0 the depot.
"""

import json
import sys

# LKH restarts per instance; each run is a full Lin-Kernighan descent from a fresh start, and
# the best is kept. 10 runs find the optimum of 200-node instances in almost every case.
RUNS = 10


def tour_length(matrix, tour):
    return sum(matrix[a][b] for a, b in zip(tour, tour[1:] + tour[:1]))


def best_length(elkai, matrix):
    n = len(matrix)
    if n <= 3:  # LKH needs 3 nodes; below that every tour is the same one.
        return tour_length(matrix, list(range(n))) if n else 0
    tour = elkai.DistanceMatrix(matrix).solve_tsp(runs=RUNS)
    if tour and tour[0] == tour[-1]:
        tour = tour[:-1]  # elkai repeats the start at the end
    if sorted(tour) != list(range(n)):
        raise ValueError(f"LKH returned a tour that is not a permutation of {n} nodes")
    return tour_length(matrix, tour)


def main():
    try:
        import elkai
    except ImportError:
        sys.stderr.write(
            "reference_tours.py: the Python package `elkai` (LKH-3) is missing for "
            f"{sys.executable}; run .ci/bench-tours, which installs it in target/bench-venv, "
            "or `pip install elkai`.\n"
        )
        return 2
    try:
        request = json.load(sys.stdin)
        instances = request["instances"]
    except (ValueError, KeyError, TypeError) as error:
        sys.stderr.write(f"reference_tours.py: bad input JSON ({error})\n")
        return 2
    lengths = {}
    for instance in instances:
        name, matrix = instance["name"], instance["matrix"]
        if any(len(row) != len(matrix) for row in matrix):
            sys.stderr.write(f"reference_tours.py: matrix of {name} is not square\n")
            return 2
        lengths[name] = best_length(elkai, matrix)
    json.dump(lengths, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
