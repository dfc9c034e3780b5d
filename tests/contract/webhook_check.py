"""Webhook deliveries as a partner verifies them: with the Standard Webhooks reference library
(PyPI `standardwebhooks`), not with our code. A venue of the demo network registers a webhook to
a receiver on loopback, books and has the booking approved; both deliveries must verify with the
secret the registration returned, carry what the document says, and a tampered body must not.

Usage: python webhook_check.py BASE_URL   (the server must allow private webhook addresses)
"""

import datetime
import http.server
import json
import sys
import threading
import time
import urllib.request

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PASSWORD = "demo-itinerance"
received = []


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    data = None
    if body is not None:
        request.add_header("Content-Type", "application/json")
        data = json.dumps(body).encode()
    with urllib.request.urlopen(request, data) as answer:
        text = answer.read()
        return json.loads(text) if text else None


def login(base, email):
    return call(base, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})["access_token"]


def main(base):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/itinerance"

    venue = login(base, "bibliotheque@demo.itinerance.fr")
    producer = login(base, "amiens@demo.itinerance.fr")
    venue_id = call(base, "GET", "/api/v1/me", venue)["organization"]["id"]
    producer_id = call(base, "GET", "/api/v1/me", producer)["organization"]["id"]
    hook = call(base, "POST", "/api/v1/webhooks", venue, {"url": url, "events": ["booking.requested", "booking.approved"]})
    secret = hook["secret"]
    assert secret.startswith("whsec_"), hook

    horizon = datetime.date.today() + datetime.timedelta(days=90)
    resources = call(base, "GET", f"/api/v1/resources?producer_id={producer_id}&limit=50", venue)["items"]
    booking = None
    for resource in resources:
        free = call(base, "GET", f"/api/v1/resources/{resource['id']}/availability?from={horizon}&to={horizon + datetime.timedelta(days=200)}", venue)
        for copy in free["copies"]:
            for period in copy["free"]:
                start = datetime.date.fromisoformat(period["from"]) + datetime.timedelta(days=10)
                if (datetime.date.fromisoformat(period["to"]) - start).days >= 30:
                    booking = call(base, "POST", "/api/v1/bookings", venue, {
                        "resource_id": resource["id"], "venue_id": venue_id, "copy_id": copy["copy_id"],
                        "starts_on": str(start), "ends_on": str(start + datetime.timedelta(days=4))})
                    break
            if booking:
                break
        if booking:
            break
    assert booking, "no free period to book"
    call(base, "POST", f"/api/v1/bookings/{booking['id']}/approve", producer, {})

    deadline = time.time() + 60
    while len(received) < 2 and time.time() < deadline:
        time.sleep(0.1)
    assert len(received) == 2, f"{len(received)} deliveries arrived"
    verifier = Webhook(secret)
    types = []
    for headers, body in received:
        payload = verifier.verify(body, headers)
        assert payload["data"]["id"] == booking["id"], payload
        assert payload["data"]["booking"]["venue_id"] == venue_id, payload
        assert payload["timestamp"].endswith("Z"), payload
        types.append(payload["type"])
        try:
            verifier.verify(body.replace(b'"booking"', b'"bookinG"', 1), headers)
        except WebhookVerificationError:
            pass
        else:
            raise AssertionError("a tampered body verified")
    assert sorted(types) == ["booking.approved", "booking.requested"], types
    call(base, "DELETE", f"/api/v1/webhooks/{hook['id']}", venue)
    print(f"contract: {len(received)} webhook deliveries verified with standardwebhooks", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
