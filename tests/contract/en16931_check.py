#!/usr/bin/env python3
"""Check CII invoices against the official EN 16931 business rules (CEN schematron for CII,
ConnectingEurope/eInvoicing-EN16931 tag validation-1.3.16, vendored in tests/contract/en16931/
under the EUPL-1.2), compiled to XSLT and run with PyPI saxonche.

Usage: en16931_check.py [--plant-wrong-total] FILE_OR_URL...

Each argument is a local file or an http(s) URL (GET, with the Authorization header from the
environment variable FACTURX_AUTH if set). Prints, per document, "ok" or the failed assertions
(rule id, flag, text), then the counts per rule over all documents. Exit status 0 when every
document has 0 fatal and 0 warning assertions, 1 otherwise.

--plant-wrong-total: takes each document, adds 1.00 to its grand total (BT-112) and expects the
rules to catch it (BR-CO-15 fires); exit status 0 only if they do for every document.
"""

import collections
import os
import re
import sys
import urllib.request
import xml.etree.ElementTree as ET

from saxonche import PySaxonProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
XSLT = os.path.join(HERE, "en16931", "EN16931-CII-validation.xslt")
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def read(source):
    """The bytes of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/xml"})
        auth = os.environ.get("FACTURX_AUTH")
        if auth:
            request.add_header("Authorization", auth)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    with open(source, "rb") as f:
        return f.read()


def failed_assertions(executable, proc, xml):
    """(id, flag, text) of every failed assertion the schematron reports for the document."""
    node = proc.parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=node)
    root = ET.fromstring(report.encode("utf-8"))
    out = []
    for failed in root.iter(SVRL + "failed-assert"):
        text = " ".join("".join(failed.itertext()).split())
        out.append((failed.get("id") or "?", failed.get("flag") or "fatal", text))
    return out


def plant_wrong_total(xml):
    """The document with 1.00 added to its grand total (BT-112)."""
    text = xml.decode("utf-8")

    def bump(m):
        return f"{m.group(1)}{float(m.group(2)) + 1:.2f}{m.group(3)}"

    planted, n = re.subn(
        r"(<ram:GrandTotalAmount>)(-?[0-9.]+)(</ram:GrandTotalAmount>)", bump, text
    )
    assert n == 1, "no grand total to plant an error in"
    return planted.encode("utf-8")


def main(argv):
    plant = "--plant-wrong-total" in argv
    sources = [a for a in argv if a != "--plant-wrong-total"]
    if not sources:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    counts = collections.Counter()
    bad = 0
    with PySaxonProcessor(license=False) as proc:
        executable = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=XSLT)
        for source in sources:
            xml = read(source)
            if plant:
                xml = plant_wrong_total(xml)
            failures = failed_assertions(executable, proc, xml)
            for rule, flag, _ in failures:
                counts[(rule, flag)] += 1
            if plant:
                caught = any(rule == "BR-CO-15" for rule, _, _ in failures)
                print(f"{'caught' if caught else 'MISSED'} planted wrong total in {source}")
                bad += 0 if caught else 1
            elif failures:
                bad += 1
                print(f"FAILED {source}")
                for rule, flag, text in failures:
                    print(f"  {flag} {rule}: {text}")
            else:
                print(f"ok {source}")
    print(f"{len(sources)} document(s); failed assertions per rule:")
    for (rule, flag), n in sorted(counts.items()):
        print(f"  {rule} ({flag}): {n}")
    if not counts:
        print("  none")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
