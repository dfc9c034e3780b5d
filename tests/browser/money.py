"""A producer's money in a real browser: the year's revenue and payback (charts drawn by the
service), an invoice cancelled by a credit note from the invoices page, then the loan invoiced
again from its page; axe-core on every page (0 violations). Run by .ci/browser.

usage: money.py BASE_URL AXE_JS OUT_DIR PRODUCER_LOGIN
"""

import sys

from selenium.webdriver.common.by import By

import journey
from journey import api, check, driver, log_in, report, submit, token_of

PRODUCER = sys.argv[4]


def money(d):
    log_in(d, PRODUCER)
    d.get(journey.BASE + "/revenue")
    check(d, "revenue")
    charts = d.find_elements(By.CSS_SELECTOR, ".charts svg")
    assert len(charts) == 2, f"two charts drawn by the service: {len(charts)}"
    assert "Recettes et amortissement" in d.page_source
    assert "€" in d.find_element(By.CSS_SELECTOR, "dl.summary").text
    d.get(journey.BASE + "/revenue?year=deux-mille")
    check(d, "revenue-bad-year")
    assert "L'année doit être un nombre" in d.page_source

    # An invoice of this producer in force: cancel it by a credit note from the invoices page.
    token = token_of(PRODUCER)
    invoices = api("GET", "/api/v1/invoices", token)
    items = invoices["items"] if isinstance(invoices, dict) else invoices
    credited = {i["credits_invoice_id"] for i in items if i.get("credits_invoice_id")}
    target = next(i for i in items if i["kind"] == "invoice" and i["id"] not in credited)
    d.get(journey.BASE + "/invoices")
    check(d, "invoices-producer")
    form = d.find_element(By.CSS_SELECTOR, f"form[action='/invoices/{target['id']}/credit']")
    page = d.find_element(By.TAG_NAME, "html")
    form.find_element(By.TAG_NAME, "button").click()
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(d, 30).until(lambda _: journey.gone(page))
    check(d, "invoices-credited")
    assert "L'avoir est émis" in d.page_source, d.page_source[:2000]

    # The loan is no longer invoiced: its page offers to invoice it again.
    d.get(journey.BASE + f"/bookings/{target['booking_id']}")
    check(d, "loan-to-invoice")
    submit(d, "Émettre la facture")
    check(d, "invoices-issued")
    assert "La facture est émise." in d.page_source
    d.get(journey.BASE + f"/bookings/{target['booking_id']}")
    assert "Facture de ce prêt" in d.page_source
    assert "Émettre la facture" not in d.page_source


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        money(d)
    finally:
        d.quit()
    report("money pages")


if __name__ == "__main__":
    main()
