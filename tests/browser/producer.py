"""The producer's pages in a real browser: a request made by a venue through the API, then the
producer (the Amiens demo producer) answers it from its inbox with a note, which the venue reads;
the fleet and a copy's 52-week calendar. axe-core on every page (0 violations), screenshots to
OUT_DIR. Run by .ci/browser after journey.py.

usage: producer.py BASE_URL AXE_JS OUT_DIR VENUE_LOGIN
"""

import datetime
import json
import sys
import urllib.error

from selenium.webdriver.common.by import By

import journey
from journey import api, check, driver, fill, log_in, submit, token_of, visited

PRODUCER = "amiens@demo.itinerance.fr"
NOTE = "Livraison le mardi matin ; prévoyez deux personnes pour décharger."


def a_request(venue_email):
    """A venue asks for one of the producer's resources (the first dates free): its id."""
    producer = token_of(PRODUCER)
    me = api("GET", "/api/v1/me", producer)["organization"]
    fleet = api("GET", f"/api/v1/producers/{me['id']}/fleet", producer)
    venue = token_of(venue_email)
    venue_id = api("GET", "/api/v1/me", venue)["organization"]["id"]
    today = datetime.date.today()
    for resource_id in dict.fromkeys(c["resource_id"] for c in fleet):
        for weeks in range(8, 40, 3):
            starts = today + datetime.timedelta(weeks=weeks)
            body = {"resource_id": resource_id, "venue_id": venue_id,
                    "starts_on": starts.isoformat(),
                    "ends_on": (starts + datetime.timedelta(days=9)).isoformat()}
            try:
                return api("POST", "/api/v1/bookings", venue, body)["id"]
            except urllib.error.HTTPError:
                continue
    raise AssertionError("no free dates for any resource of the producer")


def producer_pages(d, venue_email):
    booking = a_request(venue_email)
    log_in(d, PRODUCER)
    d.find_element(By.LINK_TEXT, "Demandes reçues").click()
    assert d.current_url == journey.BASE + "/requests", d.current_url
    check(d, "producer-inbox")
    section = d.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='request-{booking}']")
    section.find_element(By.ID, f"note-{booking}").send_keys(NOTE)
    page = d.find_element(By.TAG_NAME, "html")
    next(b for b in section.find_elements(By.TAG_NAME, "button") if b.text.strip() == "Accepter la demande").click()
    journey.WebDriverWait(d, 30).until(lambda _: journey.gone(page))
    assert "/requests" in d.current_url, d.current_url
    assert "Votre réponse est enregistrée" in d.page_source
    assert f"request-{booking}" not in d.page_source, "answered: no longer in the inbox"
    check(d, "producer-inbox-answered")
    d.find_element(By.LINK_TEXT, "Mon parc").click()
    check(d, "producer-fleet")
    status = api("GET", f"/api/v1/bookings/{booking}", token_of(PRODUCER))
    assert status["status"] == "approved", status
    d.get(f"{journey.BASE}/copies/{status['copy_id']}/calendar")
    assert "Calendrier de l" in d.page_source
    assert f'href="/bookings/{booking}"' in d.page_source, "the loan in its week"
    check(d, "producer-calendar")
    d.find_element(By.XPATH, "//button[normalize-space()='Se déconnecter']").click()
    # The venue reads the note on its loan page.
    log_in(d, venue_email)
    d.get(f"{journey.BASE}/bookings/{booking}")
    assert "deux personnes pour décharger" in d.page_source
    check(d, "venue-reads-note")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        producer_pages(d, journey.VENUE)
    finally:
        d.quit()
    bad = {n: v for n, (u, v) in visited.items() if v}
    for name, violations in bad.items():
        print(f"AXE {name}: {json.dumps(violations, ensure_ascii=False)}")
    print(f"browser: {len(visited)} producer pages checked with axe-core, "
          f"{sum(len(v) for v in bad.values())} violation(s)")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
