"""The producer's files and labels in a real browser: amiens@ attaches a photo and a PDF to one
of its resources from the resource page (a wrong file first, refused on the page), prints the
labels (each QR code read back from a screenshot with zbarimg), and the venue then sees the photo
and opens the PDF; axe-core on every page. Run by
.ci/browser after journey.py, with the same arguments.

usage: media.py BASE_URL AXE_JS OUT_DIR VENUE_LOGIN
"""

import os
import subprocess
import sys
import tempfile
import zlib
import struct

from selenium.webdriver.common.by import By

import journey
from journey import BASE, api, check, driver, fill, log_in, submit, token_of, visited

PRODUCER = "amiens@demo.itinerance.fr"
VENUE = sys.argv[4]


def png(width, height):
    """A real PNG (a gradient), written without any imaging library."""
    raw = bytearray()
    for y in range(height):
        raw.append(0)
        for x in range(width):
            raw += bytes((x * 255 // width, y * 255 // height, 120))
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


def pdf():
    """A small but well-formed PDF of one page."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attach(d, title, path):
    fill(d, "title", title)
    d.find_element(By.NAME, "file").send_keys(path)
    submit(d, "Ajouter le fichier")


def main():
    producer = token_of(PRODUCER)
    me = api("GET", "/api/v1/me", producer)
    org = me["organization"]["id"]
    resources = api("GET", f"/api/v1/resources?producer_id={org}&limit=5", producer)
    items = resources["items"] if isinstance(resources, dict) else resources
    resource = items[0]
    rid = resource["id"]
    work = tempfile.mkdtemp()
    files = {"photo.png": png(640, 420), "livret.pdf": pdf(), "notes.png": b"du texte, pas une photo"}
    for name, data in files.items():
        with open(os.path.join(work, name), "wb") as f:
            f.write(data)

    d = driver()
    d.set_script_timeout(30)
    try:
        log_in(d, PRODUCER)
        d.get(f"{BASE}/resources/{rid}")
        check(d, "producer-resource")
        attach(d, "Une note mal nommée", os.path.join(work, "notes.png"))
        assert "ni une photo" in d.page_source, d.page_source[:3000]
        check(d, "media-refused")
        attach(d, "Vue d'ensemble", os.path.join(work, "photo.png"))
        assert d.current_url.endswith(f"/resources/{rid}#fichiers"), d.current_url
        attach(d, "Livret enseignant", os.path.join(work, "livret.pdf"))
        assert "Livret enseignant" in d.page_source
        check(d, "media-attached")
        d.get(f"{BASE}/resources/{rid}/labels")
        codes = d.find_elements(By.CSS_SELECTOR, "li.label img.qr")
        assert codes, d.page_source[:3000]
        # Each QR code really drew (the browser decoded the service's SVG).
        assert all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", c) > 0
                   for c in codes)
        check(d, "labels")
        # Read back as a phone camera would: the first label's code is its copy's page.
        shot = os.path.join(work, "label.png")
        codes[0].screenshot(shot)
        read = subprocess.run(["zbarimg", "-q", "--raw", shot], capture_output=True, text=True)
        copy_id = codes[0].get_attribute("src").split("/copies/")[1].split("/")[0]
        assert read.stdout.strip() == f"{BASE}/copies/{copy_id}", (read.stdout, read.stderr)
        print(f"  the label's QR code reads {read.stdout.strip()}")
        copies = api("GET", f"/api/v1/resources/{rid}/copies", producer)
        d.get(f"{BASE}/copies/{copies[0]['id']}")
        check(d, "copy")
        d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()

        log_in(d, VENUE)
        d.get(f"{BASE}/resources/{rid}")
        img = d.find_element(By.CSS_SELECTOR, "ul.photos img")
        assert img.get_attribute("alt") == "Vue d'ensemble"
        # The thumbnail really drew: the browser decoded the service's JPEG.
        assert d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 0
        assert not d.find_elements(By.CSS_SELECTOR, "form[enctype='multipart/form-data']")
        check(d, "venue-resource-media")
        d.find_element(By.LINK_TEXT, "Livret enseignant").click()
        print(f"  the venue opened {d.current_url}")
        assert "/media/" in d.current_url
    finally:
        d.quit()
    bad = {n: v for n, (u, v) in visited.items() if v}
    for name, violations in bad.items():
        print(f"AXE {name}: {violations}")
    print(f"browser: {len(visited)} pages of files and labels checked with axe-core")
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
