#!/usr/bin/env python3
"""Check Factur-X PDFs the way their readers do, with PyPI `factur-x` and `pikepdf`.

Usage: facturx_pdf_check.py [--plant FAULT] FILE_OR_URL...

Each argument is a local file or an http(s) URL (GET with `Accept: application/pdf`, and the
Authorization header from the environment variable FACTURX_AUTH if set). For each PDF:
  - factur-x: the embedded XML is found and extracted (`get_facturx_xml_from_pdf`), its flavor is
    factur-x and its level en16931, and it passes the Factur-X EN 16931 XSD;
  - pikepdf: the XMP says PDF/A-3 (pdfaid:part 3, conformance B) and Factur-X EN 16931
    (fx:ConformanceLevel, fx:DocumentFileName, fx:DocumentType), the `factur-x.xml` file is
    embedded with an AFRelationship of Data, Source or Alternative and listed in the catalog's
    /AF, and the file parses without a syntax warning.
Prints "ok <name>" or "INVALID <name>: <faults>". Exit status 0 if all pass, 1 otherwise.

--plant FAULT: first spoils each PDF (with pikepdf), then expects the check to fail on every
one; exit status 0 only if it does. FAULT is one of:
  no-attachment   the embedded factur-x.xml removed (names tree and /AF)
  no-pdfa         the pdfaid identification removed from the XMP
  no-relationship the file specification's /AFRelationship removed
"""

import io
import os
import sys
import urllib.request

import facturx
import pikepdf
from lxml import etree

FX = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
FAULTS = ("no-attachment", "no-pdfa", "no-relationship")


def read(source):
    """Return the bytes of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/pdf"})
        auth = os.environ.get("FACTURX_AUTH")
        if auth:
            request.add_header("Authorization", auth)
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read()
    with open(source, "rb") as f:
        return f.read()


def plant(data, fault):
    """The PDF spoilt by `fault`."""
    pdf = pikepdf.open(io.BytesIO(data))
    if fault == "no-attachment":
        for name in list(pdf.attachments.keys()):
            del pdf.attachments[name]
        if "/AF" in pdf.Root:
            del pdf.Root["/AF"]
    elif fault == "no-pdfa":
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            for key in ("pdfaid:part", "pdfaid:conformance"):
                if key in meta:
                    del meta[key]
    elif fault == "no-relationship":
        for spec in pdf.Root.get("/AF", []):
            if "/AFRelationship" in spec:
                del spec["/AFRelationship"]
    else:
        raise ValueError(f"unknown fault {fault}")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def faults_of(data):
    """The list of what is wrong with a Factur-X PDF (empty when it passes)."""
    faults = []
    if not data.startswith(b"%PDF-"):
        return ["not a PDF"]
    # factur-x: extraction, flavor, level, XSD.
    try:
        name, xml = facturx.get_facturx_xml_from_pdf(io.BytesIO(data), check_xsd=False)
    except Exception as err:  # the library raises bare exceptions
        name, xml = None, None
        faults.append(f"factur-x cannot extract the XML: {err}")
    if not xml:
        faults.append("factur-x finds no embedded XML")
    else:
        if name != "factur-x.xml":
            faults.append(f"embedded XML named {name!r}")
        root = etree.fromstring(xml)
        if facturx.get_flavor(root) != "factur-x":
            faults.append(f"flavor {facturx.get_flavor(root)}")
        if facturx.get_level(root) != "en16931":
            faults.append(f"level {facturx.get_level(root)}")
        try:
            facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        except Exception as err:
            faults.append("XSD: " + " ".join(str(err).split()))
    # pikepdf: XMP identification, attachment and its relationship, syntax.
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as err:
        return faults + [f"pikepdf cannot open it: {err}"]
    faults += [f"syntax: {w}" for w in pdf.get_warnings()]
    meta = pdf.open_metadata()
    if meta.get(f"{{{PDFAID}}}part") != "3":
        faults.append(f"pdfaid:part is {meta.get(f'{{{PDFAID}}}part')!r}, not 3")
    if meta.get(f"{{{PDFAID}}}conformance") not in ("B", "U", "A"):
        faults.append("no pdfaid:conformance")
    expected = {
        "ConformanceLevel": "EN 16931",
        "DocumentFileName": "factur-x.xml",
        "DocumentType": "INVOICE",
    }
    for key, value in expected.items():
        if meta.get(f"{{{FX}}}{key}") != value:
            faults.append(f"fx:{key} is {meta.get(f'{{{FX}}}{key}')!r}")
    attachment = pdf.attachments.get("factur-x.xml")
    if attachment is None:
        faults.append("no factur-x.xml in the embedded files")
    else:
        relationship = attachment.obj.get("/AFRelationship")
        if str(relationship) not in ("/Data", "/Source", "/Alternative"):
            faults.append(f"AFRelationship is {relationship}")
    listed = [str(spec.get("/F")) for spec in pdf.Root.get("/AF", [])]
    if "factur-x.xml" not in listed:
        faults.append("factur-x.xml not in the catalog's /AF")
    return faults


def main(argv):
    fault = None
    if argv[:1] == ["--plant"]:
        if len(argv) < 2 or argv[1] not in FAULTS:
            print(f"--plant takes one of {', '.join(FAULTS)}", file=sys.stderr)
            return 2
        fault, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bad = 0
    for source in argv:
        try:
            data = read(source)
            if fault:
                data = plant(data, fault)
            faults = faults_of(data)
        except Exception as err:
            faults = [f"cannot check: {err}"]
            if fault:
                print(f"ERROR {source}: {faults[0]}")
                bad += 1
                continue
        if fault:
            caught = bool(faults)
            print(f"{'caught' if caught else 'MISSED'} {fault} in {source}: {'; '.join(faults)}")
            bad += 0 if caught else 1
        elif faults:
            bad += 1
            print(f"INVALID {source}: {'; '.join(faults)}")
        else:
            print(f"ok {source}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
