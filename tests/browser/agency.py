"""The agency's pages in a real browser: the agency logs in and lands on the network at a glance,
reads coverage grouped each way, walks to the second page of unserved EPCIs, and the CSV link
answers text/csv; then adds a village library from the organisations page (a homonym commune
first refused on the form) and invites its first administrator; axe-core on every page (0 violations), screenshots to OUT. Run by .ci/browser
after journey.py.

usage: agency.py BASE_URL AXE_JS OUT_DIR AGENCY_LOGIN
"""

import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from journey import BASE, check, driver, log_in, report, submit

AGENCY = sys.argv[4]


def agency_pages(d):
    log_in(d, AGENCY)
    assert d.current_url == BASE + "/network", d.current_url
    assert d.find_element(By.TAG_NAME, "h1").text == "Le réseau en un coup d'œil"
    counts = d.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(counts) == 5, [c.text for c in counts]
    check(d, "agency-network")

    d.find_element(By.LINK_TEXT, "Couverture").click()
    assert "/coverage" in d.current_url, d.current_url
    check(d, "agency-coverage-class")
    for by in ("department", "epci", "commune"):
        d.get(f"{BASE}/coverage?by={by}")
        rows = d.find_elements(By.CSS_SELECTOR, "#groupes + .scroll tbody tr")
        assert rows, f"no rows by {by}"
        check(d, f"agency-coverage-{by}")
    # The unserved EPCIs, page 2, reached by the pager's link.
    d.get(f"{BASE}/coverage?by=epci")
    pager = d.find_element(By.ID, "sans-pret-pages")
    first = pager.find_element(By.TAG_NAME, "p").text
    assert first.startswith("1–25 sur "), first
    pager.find_element(By.LINK_TEXT, "Page suivante").click()
    second = d.find_element(By.ID, "sans-pret-pages").find_element(By.TAG_NAME, "p").text
    assert second.startswith("26–"), second
    check(d, "agency-coverage-unserved-page-2")
    print(f"  unserved EPCIs: {first}, then {second}")

    # The CSV link, with the browser's session.
    href = d.find_element(By.LINK_TEXT, "Télécharger en CSV").get_attribute("href")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    req = urllib.request.Request(href)
    req.add_header("cookie", cookies)
    with urllib.request.urlopen(req) as res:
        kind = res.headers.get("content-type", "")
        body = res.read().decode()
    assert kind.startswith("text/csv"), kind
    assert body.startswith("key,label,population,"), body[:80]
    print(f"  the CSV link: {kind}, {len(body.splitlines()) - 1} rows")

    # Bad input comes back on the form.
    d.get(f"{BASE}/coverage?from=2026-06-01&to=2026-01-01&by=epci")
    assert d.find_elements(By.CLASS_NAME, "error-summary")
    check(d, "agency-coverage-error")

    # The organisations: add a village library, then invite its first administrator.
    d.find_element(By.LINK_TEXT, "Organisations").click()
    assert d.current_url.endswith("/organizations"), d.current_url
    check(d, "agency-organizations")
    name = "Bibliothèque de Dury (essai navigateur)"
    d.find_element(By.ID, "name").send_keys(name)
    Select(d.find_element(By.ID, "kind")).select_by_value("venue")
    Select(d.find_element(By.ID, "venue_type")).select_by_value("library")
    d.find_element(By.ID, "commune").send_keys("Dury")
    submit(d, "Ajouter l'organisation")
    summary = d.find_element(By.CLASS_NAME, "error-summary").text
    assert "Plusieurs communes portent ce nom" in summary, summary
    check(d, "agency-organizations-homonyms")
    commune = d.find_element(By.ID, "commune")
    commune.clear()
    commune.send_keys("80261")
    submit(d, "Ajouter l'organisation")
    assert "/organizations/" in d.current_url and "done=created" in d.current_url, d.current_url
    assert d.find_element(By.TAG_NAME, "h1").text == name
    check(d, "agency-organization-new")
    d.find_element(By.ID, "email").send_keys("direction@bibliotheque-dury.test")
    submit(d, "Envoyer l'invitation")
    assert "done=invited" in d.current_url, d.current_url
    assert "direction@bibliotheque-dury.test" in d.page_source
    check(d, "agency-organization-invited")
    print(f"  organisation added and its first administrator invited: {d.current_url}")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        agency_pages(d)
    finally:
        d.quit()
    report("agency pages")


if __name__ == "__main__":
    main()
