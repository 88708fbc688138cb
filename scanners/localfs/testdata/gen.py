# Regenerates the iCloud Drive placeholder fixtures with Python's plistlib,
# an implementation of binary plists independent of localfs's reader.
# Run from this folder: python3 gen.py
import plistlib

regular = "NSURLFileResourceTypeRegular"
cases = {
    "ascii.icloud": {"NSURLFileResourceTypeKey": regular, "NSURLFileSizeKey": 12345, "NSURLNameKey": "intake.pdf"},
    "utf16.icloud": {"NSURLFileResourceTypeKey": regular, "NSURLFileSizeKey": 300, "NSURLNameKey": "intake é.pdf"},
    "large.icloud": {"NSURLFileResourceTypeKey": regular, "NSURLFileSizeKey": 5000000000,
                     "NSURLNameKey": "Verslag oudergesprek 2019 definitief.docx"},
    "nosize.icloud": {"NSURLFileResourceTypeKey": regular, "NSURLNameKey": "x.pdf"},
}
for name, d in cases.items():
    with open(name, "wb") as f:
        f.write(plistlib.dumps(d, fmt=plistlib.FMT_BINARY))
with open("xml.icloud", "wb") as f:
    f.write(plistlib.dumps(cases["ascii.icloud"], fmt=plistlib.FMT_XML))
