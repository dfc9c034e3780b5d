"""A producer plans and prints a day in a real browser: the demo producer of Amiens opens
« Tournées », finds the first working day with moves in the demo data (looking day by day, as a
person would), plans it, looks at the map and the rounds, opens the drivers' sheets to print,
then moves a stop (a move the rules refuse comes back with its reason; one they allow is kept).
Then, as a crate leaves, the dispatch condition form of one of those loans, from its page.
axe-core on every page (0 violations), screenshots to OUT_DIR. Run by .ci/browser.

usage: days.py BASE_URL AXE_JS OUT_DIR PRODUCER_LOGIN
"""

import datetime
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from journey import BASE, api, check, driver, log_in, report, submit, token_of

PRODUCER = sys.argv[4]


def a_day_with_moves(d):
    """The first working day of the next 90 whose page lists moves: its ISO date."""
    today = datetime.date.today()
    for n in range(1, 91):
        day = today + datetime.timedelta(days=n)
        if day.weekday() >= 5:
            continue
        d.get(f"{BASE}/days?date={day.isoformat()}")
        if "Mouvements du jour" in d.page_source and "Aucun mouvement ce jour-là" not in d.page_source:
            return day.isoformat()
    raise AssertionError("no day with moves in the demo data over the next 90 days")


def day_planning(d):
    log_in(d, PRODUCER)
    d.find_element(By.LINK_TEXT, "Tournées").click()
    assert d.current_url.startswith(BASE + "/days"), d.current_url
    assert d.find_element(By.TAG_NAME, "h1").text == "Tournées"
    check(d, "days-default")
    day = a_day_with_moves(d)
    check(d, "days-with-moves")
    submit(d, "Planifier la journée")
    assert "/days/" in d.current_url, d.current_url
    plan_url = d.current_url
    svg = d.find_element(By.CSS_SELECTOR, "figure.day-map svg")
    assert svg.get_attribute("role") == "img"
    rounds = d.find_elements(By.CSS_SELECTOR, "section.round")
    assert rounds, "no round planned"
    stops = d.find_elements(By.CSS_SELECTOR, "section.round tbody tr")
    print(f"  day {day}: {len(rounds)} round(s), {len(stops)} stop(s)")
    check(d, "day-plan")
    # The drivers' sheets, as printed: one van per page.
    d.find_element(By.LINK_TEXT, "Imprimer les feuilles de route").click()
    assert d.current_url.endswith("/sheet"), d.current_url
    assert "Tournée 1 — " in d.page_source
    check(d, "day-sheet")
    d.get(plan_url)
    # Move a stop: the last stop of the first round to the first place of the last van.
    stop = Select(d.find_element(By.ID, "stop"))
    options = stop.options
    stop.select_by_index(len(options) - 1)
    van = Select(d.find_element(By.ID, "van"))
    van.select_by_index(len(van.options) - 1)
    position = d.find_element(By.ID, "position")
    position.clear()
    position.send_keys("1")
    before = [r.text for r in d.find_elements(By.CSS_SELECTOR, "section.round tbody tr")]
    submit(d, "Déplacer l'arrêt")
    if "Rien n'a changé" in d.page_source:
        # Refused by the rules: the reason is listed at the top, the plan unchanged.
        assert d.find_element(By.CSS_SELECTOR, ".error-summary").is_displayed()
        after = [r.text for r in d.find_elements(By.CSS_SELECTOR, "section.round tbody tr")]
        assert before == after, "a refused move changed the plan"
        check(d, "day-plan-move-refused")
        # Back to its own van's end: always possible (the same round).
        position = d.find_element(By.ID, "position")
        position.clear()
        position.send_keys("1")
        Select(d.find_element(By.ID, "van")).select_by_index(0)
        Select(d.find_element(By.ID, "stop")).select_by_index(0)
        submit(d, "Déplacer l'arrêt")
    assert "L'arrêt est déplacé" in d.page_source, d.page_source[:2000]
    check(d, "day-plan-moved")
    # A position that is not a number: the form again, the field named.
    position = d.find_element(By.ID, "position")
    position.clear()
    position.send_keys("premier")
    submit(d, "Déplacer l'arrêt")
    assert d.find_element(By.CSS_SELECTOR, ".error-summary a[href='#position']")
    check(d, "day-plan-move-bad-input")


def dispatch_form(d):
    """The producer files the dispatch report of an approved loan from the loan's page."""
    loans = api("GET", "/api/v1/bookings?status=approved", token_of(PRODUCER))
    assert loans, "an approved loan ahead in the demo"
    booking = loans[0]["id"]
    d.get(f"{BASE}/bookings/{booking}")
    d.find_element(By.LINK_TEXT, "Remplir l'état des lieux").click()
    assert d.find_element(By.TAG_NAME, "h1").text == "Constat de départ"
    grade = d.find_element(By.ID, "grade")
    grade.clear()
    grade.send_keys("5")
    check(d, "dispatch-form")
    submit(d, "Envoyer l'état des lieux")
    assert f"/bookings/{booking}" in d.current_url, d.current_url
    reports = api("GET", f"/api/v1/copies/{loans[0]['copy_id']}/condition-reports", token_of(PRODUCER))
    assert reports and reports[-1]["stage"] == "dispatch", reports
    check(d, "dispatch-filed")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        day_planning(d)
        dispatch_form(d)
    finally:
        d.quit()
    report("day planning pages")


if __name__ == "__main__":
    main()
