"""Accounts that run themselves, in a real browser: an administrator invites a colleague from the
members page, the invitee opens the link of the real mail (read from the loopback SMTP sink,
tests/browser/smtp_sink.py), chooses a password and is signed in; the link then says it no
longer works; the colleague forgets the password, opens the reset mail's link, chooses a new one
and logs in with it, then switches the pages to English. axe-core on every page visited (0 violations of any impact). Run by
.ci/browser after journey.py.

usage: accounts.py BASE_URL AXE_JS OUT_DIR ADMIN_LOGIN MAIL_DIR
"""

import email
import email.policy
import glob
import json
import re
import sys
import time

from selenium.webdriver.common.by import By

# The shared helpers (driver, axe-core, forms) of the venue journey; it reads the same arguments.
import journey
from journey import BASE, check, driver, fill, log_in, submit, visited

MAIL_DIR = sys.argv[5]
ADMIN = sys.argv[4]


def link_in_mail(to, section, seen):
    """The portal link `BASE/section/<token>` of the first new mail to `to` (waits up to 30 s)."""
    pattern = re.compile(re.escape(BASE) + "/" + section + "/([0-9a-f]{48})")
    deadline = time.time() + 30
    while time.time() < deadline:
        for path in sorted(glob.glob(MAIL_DIR + "/*.eml")):
            if path in seen:
                continue
            with open(path, "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            if to not in str(message["To"]):
                continue
            seen.add(path)
            for part in message.walk():
                if part.get_content_type() in ("text/plain", "text/html"):
                    found = pattern.search(part.get_content())
                    if found:
                        return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no {section} mail to {to} in {MAIL_DIR}")


def log_out(d):
    submit(d, "Se déconnecter")


def invitation_and_reset(d):
    seen = set()
    invitee = f"collegue-{int(time.time())}@example.test"
    password = "une-phrase-de-passe-solide"

    # The administrator invites from the members page.
    log_in(d, ADMIN)
    d.find_element(By.LINK_TEXT, "Membres").click()
    check(d, "members")
    fill(d, "email", invitee)
    submit(d, "Envoyer l'invitation")
    assert "/members" in d.current_url, d.current_url
    check(d, "members-invited")
    assert invitee in d.page_source
    log_out(d)

    # The invitee opens the mail's link, makes a mistake, then chooses a password.
    link = link_in_mail(invitee, "invitations", seen)
    d.get(link)
    check(d, "invitation")
    fill(d, "password", password)
    fill(d, "password_confirmation", password + "-autre")
    submit(d, "Créer mon compte")
    check(d, "invitation-errors")
    assert d.find_element(By.CSS_SELECTOR, ".error-summary a[href='#password_confirmation']")
    fill(d, "password", password)
    fill(d, "password_confirmation", password)
    submit(d, "Créer mon compte")
    assert d.current_url == BASE + "/", d.current_url
    d.find_element(By.LINK_TEXT, "Mon compte").click()
    check(d, "account")
    assert invitee in d.page_source
    log_out(d)

    # The link works once.
    d.get(link)
    assert "Ce lien ne fonctionne plus" in d.page_source, d.page_source[:2000]
    check(d, "link-expired")

    # Password forgotten: from the login page, through the mail.
    d.get(BASE + "/login")
    d.find_element(By.LINK_TEXT, "Mot de passe oublié ?").click()
    check(d, "forgot")
    fill(d, "email", invitee)
    submit(d, "Recevoir un lien")
    assert "Regardez vos e-mails" in d.page_source
    check(d, "forgot-sent")
    link = link_in_mail(invitee, "password-reset", seen)
    d.get(link)
    check(d, "reset")
    fill(d, "new_password", "un-tout-nouveau-mot-de-passe")
    fill(d, "password_confirmation", "un-tout-nouveau-mot-de-passe")
    submit(d, "Enregistrer le mot de passe")
    assert "/login" in d.current_url, d.current_url
    check(d, "login-after-reset")
    fill(d, "email", invitee)
    fill(d, "password", "un-tout-nouveau-mot-de-passe")
    submit(d, "Se connecter")
    assert d.current_url == BASE + "/", d.current_url

    # English pages once the account says so.
    d.find_element(By.LINK_TEXT, "Mon compte").click()
    d.find_element(By.ID, "locale-en").click()
    submit(d, "Enregistrer la langue")
    assert 'lang="en"' in d.page_source and "My account" in d.page_source, d.page_source[:2000]
    check(d, "account-en")
    d.find_element(By.LINK_TEXT, "Home").click()
    check(d, "home-en")
    submit(d, "Log out")


def main():
    d = driver()
    d.set_script_timeout(30)
    try:
        invitation_and_reset(d)
    finally:
        d.quit()
    bad = {n: v for n, (u, v) in visited.items() if v}
    for name, violations in bad.items():
        print(f"AXE {name}: {json.dumps(violations, ensure_ascii=False)}")
    print(f"browser: accounts, {len(visited)} pages checked with axe-core, "
          f"{sum(len(v) for v in bad.values())} violation(s)")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    assert journey.OUT
    main()
