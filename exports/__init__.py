"""exports."""

import os

# openpyxl parses with lxml whenever lxml is installed (python-docx brings it), and then reads workbooks
# differently: entity declarations are silently left unexpanded instead of refused by defusedxml, and a
# formula's saved result is lost in read-only mode. guihua reads and writes workbooks one way, with the
# standard library parser and defusedxml, whatever else is installed. Set before openpyxl is first imported.
os.environ.setdefault("OPENPYXL_LXML", "False")
