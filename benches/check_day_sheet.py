#!/usr/bin/env python3
"""The drivers' day sheet as a real browser prints it (`.ci/day-sheet-page`, part of `make bench`).

Against a release server with the demo network: the agency books some of a producer's resources
for venues, approves them, adds a second van at the depot, plans the day the copies leave, and
asks for the sheets (`Accept: text/html`). Headless Chromium prints them to PDF and dumps the DOM
it built. Fails unless every trip has its section with every stop, the page breaks give each van
its own sheet, and nothing but the service's own markup is there.

Usage: check_day_sheet.py BASE_URL WORKDIR
"""
import collections
import datetime
import json
import pathlib
import re
import subprocess
import sys
import urllib.request

BASE, WORK = sys.argv[1], pathlib.Path(sys.argv[2])


def call(method, path, token=None, body=None, accept="application/json"):
    req = urllib.request.Request(BASE + path, method=method)
    req.add_header("Accept", accept)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data) as res:
            raw = res.read()
            return res.status, (raw.decode() if accept != "application/json" else json.loads(raw or b"null"))
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def fail(message):
    print(f"day sheet: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


status, login = call("POST", "/api/v1/auth/login", body={"email": "agence@demo.itinerance.fr", "password": "demo-itinerance"})
if status != 200:
    fail(f"login: {status} {login}")
token = login["access_token"]

# The producer with the most lendable resources that fit a van.
_, producers = call("GET", "/api/v1/organizations?kind=producer&limit=100", token)
best = None
for producer in producers["items"]:
    _, page = call("GET", f"/api/v1/resources?producer_id={producer['id']}&limit=100", token)
    fitting = [r for r in page["items"] if r["copies_in_service"] > 0 and (r["volume_m3"] or 0) <= 6 and (r["weight_kg"] or 0) <= 500]
    if best is None or len(fitting) > len(best[1]):
        best = (producer, fitting)
producer, resources = best
if len(resources) < 3:
    fail(f"too few resources at {producer['name']}")
_, venues = call("GET", "/api/v1/organizations?kind=venue&limit=100", token)
venues = venues["items"]

start = datetime.date.today() + datetime.timedelta(days=45)
leaving = collections.Counter()
for k in range(10):
    resource, venue = resources[k % len(resources)], venues[(k * 7) % len(venues)]
    status, booking = call("POST", "/api/v1/bookings", token, {"resource_id": resource["id"], "venue_id": venue["id"],
                                                               "starts_on": str(start), "ends_on": str(start + datetime.timedelta(days=2))})
    if status != 201:
        continue  # no copy free: another resource will do
    status, approved = call("POST", f"/api/v1/bookings/{booking['id']}/approve", token, {})
    if status == 200:
        leaving[approved["occupied_from"]] += 1
if not leaving:
    fail("no booking could be made")
day = leaving.most_common(1)[0][0]

status, van = call("POST", "/api/v1/vans", token, {"name": "Kangoo du jour", "depot_organization_id": producer["id"],
                                                    "capacity": {"volume_m3": 4.0, "weight_kg": 600.0},
                                                    "shift": {"start": "08:30", "end": "17:30"}})
if status != 201:
    fail(f"second van: {status} {van}")
request = {"date": day, "depot_organization_id": producer["id"]}
status, plan = call("POST", "/api/v1/tours/plan", token, request)
if status != 200:
    fail(f"plan: {status} {plan}")
trips = plan["trips"]
if not trips:
    fail(f"no trip planned for {day}: {plan}")
status, html = call("GET", f"/api/v1/tours/{plan['id']}", token, accept="text/html")
if status != 200:
    fail(f"sheet: {status}")
sheet = WORK / "sheet.html"
sheet.write_text(html, encoding="utf-8")

chrome = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={WORK / 'profile'}"]
pdf = WORK / "sheet.pdf"
subprocess.run(chrome + ["--no-pdf-header-footer", f"--print-to-pdf={pdf}", sheet.as_uri()],
               check=True, capture_output=True, timeout=120)
dom = subprocess.run(chrome + ["--dump-dom", sheet.as_uri()], check=True, capture_output=True, timeout=120).stdout.decode()
subprocess.run(chrome + ["--window-size=1280,1400", f"--screenshot={WORK / 'sheet.png'}", sheet.as_uri()],
               check=True, capture_output=True, timeout=120)

pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
sections = len(trips) + (1 if plan["unassigned"] else 0)
if pages < sections:
    fail(f"{pages} printed pages for {sections} sections: each van needs its own sheet")
for trip in trips:
    if f"Tournée {trip['number']} — {trip['van_name']}" not in dom:
        fail(f"no section for trip {trip['number']} ({trip['van_name']})")
    for stop in trip["stops"]:
        row = f"réservation {stop['booking_id']}"
        if row not in dom:
            fail(f"stop of booking {stop['booking_id']} missing from trip {trip['number']}")
if re.search(r"<script", dom, re.I):
    fail("the sheet runs scripts")
stops = sum(len(t["stops"]) for t in trips)
print(f"day sheet: {len(trips)} van(s), {stops} stop(s), {len(plan['unassigned'])} left out on {day} "
      f"at {producer['name']}; Chromium printed {pages} page(s) for {sections} section(s)")
