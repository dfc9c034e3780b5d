"""The portal in a real browser: a venue's journey end to end, CSRF, a deactivated user's session,
and axe-core on every page visited (0 violations of any impact). Run by .ci/browser.

usage: journey.py BASE_URL AXE_JS OUT_DIR VENUE_LOGIN
"""

import datetime
import json
import sys
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE, AXE, OUT, VENUE = sys.argv[1:5]
PASSWORD = "demo-itinerance"
AXE_SOURCE = open(AXE, encoding="utf-8").read()
visited = {}


def api(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        text = res.read().decode()
        return json.loads(text) if text else None


def token_of(email, password=PASSWORD):
    return api("POST", "/api/v1/auth/login", body={"email": email, "password": password})["access_token"]


def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    # The pages follow the browser's language when nobody is signed in: a French browser here.
    options.add_argument("--lang=fr-FR")
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(d, name):
    """axe-core on the page shown, and a screenshot of it."""
    d.execute_script(AXE_SOURCE)
    result = d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e)}]));")
    d.save_screenshot(f"{OUT}/{name}.png")
    visited[name] = (d.current_url, result)
    print(f"  {name}: {d.current_url} — axe violations: {len(result)}")


def fill(d, name, value):
    field = d.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def date_input(d, name, day):
    # A date field takes the digits in the browser's order (dd mm yyyy here), by keyboard.
    d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.NAME, name), day.isoformat())


def submit(d, label):
    button = next((b for b in d.find_elements(By.TAG_NAME, "button") if b.text.strip() == label), None)
    assert button is not None, f"no button {label!r} on {d.current_url}"
    page = d.find_element(By.TAG_NAME, "html")
    button.click()
    # Wait for the next page: reading the old one would race the navigation.
    WebDriverWait(d, 30).until(lambda _: gone(page))


def gone(element):
    """Whether the page an element belongs to has been replaced. Chromium answers a stale element
    either with StaleElementReferenceException or, while the navigation is under way, with an
    inspector error ("Node with given id does not belong to the document"): both mean gone."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def log_in(d, email, password=PASSWORD):
    d.get(BASE + "/login")
    check(d, "login") if "login" not in visited else None
    fill(d, "email", email)
    fill(d, "password", password)
    submit(d, "Se connecter")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        journey(d)
        csrf_and_deactivation(d)
    finally:
        d.quit()
    report("pages")


def report(what):
    """The axe-core violations of every page visited, and exit 1 if there is any."""
    bad = {n: v for n, (u, v) in visited.items() if v}
    for name, violations in bad.items():
        print(f"AXE {name}: {json.dumps(violations, ensure_ascii=False)}")
    print(f"browser: {len(visited)} {what} checked with axe-core, {sum(len(v) for v in bad.values())} violation(s)")
    if bad:
        sys.exit(1)


def journey(d):
    log_in(d, VENUE)
    assert d.current_url == BASE + "/", d.current_url
    check(d, "home")
    d.get(BASE + "/resources")
    check(d, "find-empty")
    fill(d, "q", "eau")
    fill(d, "age", "10")
    d.find_element(By.ID, "kind-trunk").click()
    d.find_element(By.CSS_SELECTOR, "#radius_km option[value='1000']").click()
    submit(d, "Rechercher")
    check(d, "find-results")
    results = d.find_elements(By.CSS_SELECTOR, "ol.results h3 a")
    assert results, "no trunk found: " + d.page_source[:2000]
    water = next((r for r in results if "eau" in r.text.lower()), results[0])
    title = water.text
    water.click()
    check(d, "resource")
    start = datetime.date.today() + datetime.timedelta(days=40)
    end = start + datetime.timedelta(days=4)
    date_input(d, "starts_on", start)
    date_input(d, "ends_on", end)
    submit(d, "Voir mon prix")
    assert "Total à payer" in d.page_source, d.page_source[:3000]
    check(d, "resource-quote")
    submit(d, "Demander cette ressource pour ces dates")
    assert "/bookings/" in d.current_url, d.current_url
    booking_id = int(d.current_url.split("/bookings/")[1].split("?")[0])
    assert "Demandé" in d.page_source
    check(d, "loan-requested")
    print(f"  requested {title!r}: booking {booking_id}")

    # The producer approves through the API.
    agency = token_of("agence@demo.itinerance.fr")
    booking = api("GET", f"/api/v1/bookings/{booking_id}", agency)
    resource = api("GET", f"/api/v1/resources/{booking['resource_id']}", agency)
    users = api("GET", f"/api/v1/users?organization_id={resource['producer_id']}", agency)
    producer = token_of(users[0]["email"])
    api("POST", f"/api/v1/bookings/{booking_id}/approve", producer, {})
    d.get(f"{BASE}/bookings/{booking_id}")
    assert "Accepté" in d.page_source and "Livraison" in d.page_source, d.page_source[:3000]
    check(d, "loan-approved")
    d.get(BASE + "/bookings")
    check(d, "loans")

    api("POST", f"/api/v1/bookings/{booking_id}/dispatch", producer, {})
    d.get(f"{BASE}/bookings/{booking_id}")
    d.get(f"{BASE}/bookings/{booking_id}/report")
    assert d.find_element(By.LINK_TEXT, "Retour au prêt")
    check(d, "report")
    fill(d, "grade", "9")
    submit(d, "Envoyer l'état des lieux")
    assert "Il y a un problème" in d.page_source, (d.current_url, d.page_source[:4000])
    check(d, "report-errors")
    # The summary's link takes the keyboard to the field in error.
    d.find_element(By.CSS_SELECTOR, ".error-summary a").click()
    assert d.switch_to.active_element.get_attribute("name") == "grade"
    fill(d, "grade", "5")
    submit(d, "Envoyer l'état des lieux")
    assert f"/bookings/{booking_id}" in d.current_url, d.current_url

    api("POST", f"/api/v1/bookings/{booking_id}/deliver", producer, {})
    d.get(f"{BASE}/bookings/{booking_id}/evaluation")
    check(d, "evaluation")
    fill(d, "visitors", "48")
    fill(d, "sessions", "4")
    d.find_element(By.ID, "audience-primary").click()
    fill(d, "satisfaction", "5")
    submit(d, "Envoyer le bilan")
    d.get(f"{BASE}/bookings/{booking_id}/evaluation")
    assert "votre bilan est enregistré" in d.page_source
    check(d, "evaluation-done")
    d.get(BASE + "/invoices")
    check(d, "invoices")
    d.get(BASE + "/accessibility")
    check(d, "accessibility")
    d.get(f"{BASE}/bookings/{booking_id}")
    check(d, "loan-delivered")
    return booking_id


def csrf_and_deactivation(d):
    # A form posted without its CSRF token (with the session cookie) is refused; nothing changes.
    d.get(BASE + "/bookings")
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    before = len(d.find_elements(By.CSS_SELECTOR, "tbody tr"))
    req = urllib.request.Request(BASE + "/bookings", method="POST",
                                 data=b"resource_id=1&starts_on=2030-01-01&ends_on=2030-01-02")
    req.add_header("cookie", cookie)
    req.add_header("content-type", "application/x-www-form-urlencoded")
    try:
        urllib.request.urlopen(req)
        raise AssertionError("a POST without CSRF token was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 403, e.code
    d.get(BASE + "/bookings")
    assert len(d.find_elements(By.CSS_SELECTOR, "tbody tr")) == before
    print("  a POST without its CSRF token: 403, nothing changed")

    # A deactivated user's session is refused at once.
    agency = token_of("agence@demo.itinerance.fr")
    me = api("GET", "/api/v1/me", token_of(VENUE))
    email = f"colleague-{datetime.datetime.now().timestamp():.0f}@demo.itinerance.fr"
    user = api("POST", "/api/v1/users", agency, {"email": email, "password": "a-long-password-1",
                                                  "organization_id": me["organization"]["id"], "role": "member"})
    d.delete_all_cookies()
    log_in(d, email, "a-long-password-1")
    assert d.current_url == BASE + "/", d.current_url
    api("POST", f"/api/v1/users/{user['id']}/deactivate", agency, {})
    d.get(BASE + "/bookings")
    assert "/login" in d.current_url, d.current_url
    print("  a deactivated user's session: refused, back to the login page")


if __name__ == "__main__":
    main()
