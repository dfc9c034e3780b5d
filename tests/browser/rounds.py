"""The agency's allocation rounds in a real browser: the agency opens a round from the form, adds
a request and a pasted CSV with a bad line (refused, its line and column named), then takes the
demo's open round with contested requests, compares both policies side by side and keeps the
equity one; the round says it is confirmed and shows the loans booked; the audit log tells it,
filtered by kind of object; a subsidy programme is created. axe-core on every page
(0 violations), screenshots to OUT. Run by .ci/browser after agency.py.

usage: rounds.py BASE_URL AXE_JS OUT_DIR AGENCY_LOGIN
"""

import datetime
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from journey import BASE, check, driver, fill, gone, log_in, report, submit

AGENCY = sys.argv[4]
DEMO_ROUND = "Printemps — expositions très demandées"


def rounds(d):
    today = datetime.date.today()
    log_in(d, AGENCY)
    d.find_element(By.LINK_TEXT, "Répartitions").click()
    assert d.current_url == BASE + "/rounds", d.current_url
    assert d.find_element(By.TAG_NAME, "h1").text == "Tours de répartition"
    check(d, "rounds-list")

    # A new round from the form: a resource ticked.
    fill(d, "name", "Automne — malles disputées")
    fill(d, "period_from", (today + datetime.timedelta(days=20)).isoformat())
    fill(d, "period_to", (today + datetime.timedelta(days=100)).isoformat())
    box = d.find_element(By.CSS_SELECTOR, "input[name=resource_id]")
    resource = box.get_attribute("value")
    box.click()
    submit(d, "Ouvrir le tour")
    assert "/rounds/" in d.current_url and "done=created" in d.current_url, d.current_url
    round_url = d.current_url.split("?")[0]
    check(d, "round-new")

    # One request through the form.
    venue = Select(d.find_element(By.NAME, "venue_id"))
    venue.select_by_index(1)
    venue_id = venue.first_selected_option.get_attribute("value")
    fill(d, "starts_on", (today + datetime.timedelta(days=30)).isoformat())
    fill(d, "ends_on", (today + datetime.timedelta(days=34)).isoformat())
    submit(d, "Ajouter la demande")
    assert "done=added" in d.current_url, d.current_url
    assert len(d.find_elements(By.CSS_SELECTOR, "#requests + .scroll tbody tr")) == 1

    # A pasted CSV with a bad second line: nothing added, the line named.
    good = f"{venue_id},{resource},{today + datetime.timedelta(days=60)},{today + datetime.timedelta(days=62)}"
    bad = f"{venue_id},999999,{today + datetime.timedelta(days=70)},{today + datetime.timedelta(days=72)}"
    d.find_element(By.NAME, "csv").send_keys(f"venue_id,resource_id,starts_on,ends_on\n{good}\n{bad}\n")
    submit(d, "Ajouter ces demandes")
    assert d.find_elements(By.CLASS_NAME, "error-summary")
    lines = d.find_element(By.ID, "csv-lines").text
    assert "Ligne 3, colonne « resource_id »" in lines, lines
    assert len(d.find_elements(By.CSS_SELECTOR, "#requests + .scroll tbody tr")) == 1
    check(d, "round-csv-error")
    print(f"  the CSV refused: {lines.splitlines()[1]}")

    # The demo's round: both policies side by side, then equity kept.
    d.get(BASE + "/rounds")
    d.find_element(By.LINK_TEXT, DEMO_ROUND).click()
    check(d, "round-demo")
    d.find_element(By.LINK_TEXT, "Comparer les deux politiques").click()
    assert "/compare" in d.current_url, d.current_url
    plans = d.find_elements(By.CSS_SELECTOR, "section.plan")
    assert [p.find_element(By.TAG_NAME, "h3").text for p in plans] == [
        "Équité territoriale", "Premier arrivé, premier servi"], [p.text[:40] for p in plans]
    gaps = [p.find_element(By.CSS_SELECTOR, "dl.summary dd strong").text for p in plans]
    assert gaps[0] != gaps[1], gaps
    check(d, "round-compare")
    print(f"  village–city gap: equity {gaps[0]}, first come {gaps[1]}")
    button = plans[0].find_element(By.TAG_NAME, "button")
    assert button.text.startswith("Retenir cette répartition"), button.text
    page = d.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(d, 30).until(lambda _: gone(page))
    assert "done=kept" in d.current_url, d.current_url
    assert "Confirmé" in d.find_element(By.CSS_SELECTOR, "dl.summary").text
    loans = d.find_elements(By.PARTIAL_LINK_TEXT, "Prêt n°")
    assert loans, "the loans booked are linked"
    check(d, "round-confirmed")
    print(f"  kept: {len(loans)} loans booked")

    # The audit log tells it, filtered by kind of object.
    d.find_element(By.LINK_TEXT, "Journal").click()
    assert d.find_element(By.TAG_NAME, "h1").text == "Journal des modifications"
    check(d, "audit")
    Select(d.find_element(By.NAME, "kind")).select_by_value("allocation_round")
    submit(d, "Afficher")
    actions = [c.text for c in d.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(3)")]
    # In words, not codes (allocation_round.confirmed).
    assert "Campagne de répartition : répartition confirmée" in actions, actions  # .text reads U+00A0 as a space
    assert all(a.startswith("Campagne de répartition") for a in actions), actions
    check(d, "audit-rounds")
    print(f"  the audit log: {len(actions)} round entries")

    # Subsidy programmes and the pricing policy: a programme created with a French budget.
    d.find_element(By.LINK_TEXT, "Aides et tarifs").click()
    check(d, "subsidies")
    fill(d, "name", "Sciences au village")
    fill(d, "funder", "Région Hauts-de-France")
    fill(d, "rate_percent", "50")
    fill(d, "budget", "20 000,50")
    fill(d, "valid_from", today.isoformat())
    fill(d, "valid_to", (today + datetime.timedelta(days=365)).isoformat())
    d.find_element(By.ID, "class-village").click()
    submit(d, "Créer le programme")
    assert "done=created" in d.current_url, d.current_url
    rows = [r.text.replace("\u202f", " ").replace("\xa0", " ")
            for r in d.find_elements(By.CSS_SELECTOR, "#programmes + .scroll tbody tr")]
    row = next((r for r in rows if r.startswith("Sciences au village")), None)
    assert row and "20 000,50" in row, rows
    check(d, "subsidies-created")
    print(f"  a subsidy programme: {row.splitlines()[0]}")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        rounds(d)
    finally:
        d.quit()
    report("allocation round pages")


if __name__ == "__main__":
    main()
