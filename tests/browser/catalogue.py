"""A producer's catalogue in a real browser: a new resource published from the form (a mistyped
amount first, shown on the form), then its tariff, one item of its contents and one copy added on
its editing page, and the venue reading the published page; axe-core on every page (0
violations). Run by .ci/browser.

usage: catalogue.py BASE_URL AXE_JS OUT_DIR PRODUCER_LOGIN
"""

import sys

from selenium.webdriver.common.by import By

import journey
from journey import check, driver, log_in, report, submit

PRODUCER = sys.argv[4]


def fill(d, field_id, value):
    """Types into the field of this id (ids are the fields' names on these forms)."""
    field = d.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(value)


def catalogue(d):
    log_in(d, PRODUCER)
    d.get(journey.BASE + "/fleet")
    d.find_element(By.LINK_TEXT, "Ajouter une ressource au catalogue").click()
    check(d, "resource-new")
    d.find_element(By.CSS_SELECTOR, "select#kind option[value='kit']").click()
    fill(d, "title", "Kit des abeilles")
    fill(d, "description", "Une ruche vitrée, des loupes et des fiches pour les 6-11 ans.")
    d.find_element(By.ID, "theme-nature_environment").click()
    d.find_element(By.ID, "audience-primary").click()
    fill(d, "production_cost", "deux mille")
    submit(d, "Publier la ressource")
    check(d, "resource-new-errors")
    assert "Un montant est en euros" in d.page_source
    assert d.find_element(By.ID, "title").get_attribute("value") == "Kit des abeilles"
    fill(d, "production_cost", "2 000")
    submit(d, "Publier la ressource")
    check(d, "resource-edit")
    assert "La ressource est publiée" in d.page_source
    fill(d, "per_loan", "120")
    fill(d, "per_week", "45,50")
    submit(d, "Enregistrer le tarif")
    assert "C'est enregistré." in d.page_source
    fill(d, "name", "Loupe")
    fill(d, "quantity", "12")
    fill(d, "unit_cost", "4,50")
    submit(d, "Ajouter l'élément")
    fill(d, "asset_tag", "ABEILLE-01")
    submit(d, "Ajouter l'exemplaire")
    check(d, "resource-edit-stocked")
    page = d.page_source
    assert "ABEILLE-01" in page and "Loupe" in page and "4,50" in page, page[:3000]
    d.find_element(By.LINK_TEXT, "Voir la fiche publiée").click()
    check(d, "resource-published")
    assert "Kit des abeilles" in d.page_source


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        catalogue(d)
    finally:
        d.quit()
    report("catalogue pages")


if __name__ == "__main__":
    main()
