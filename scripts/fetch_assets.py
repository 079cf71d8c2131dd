"""Fetch the front-end files datameent serves itself (no CDN), pinned by integrity hash.

The files come from the npm registry and are checked against the `integrity` value that the
registry publishes for that exact release, so a changed or tampered download is refused.
They are not kept in git; `scripts/dev` runs this once. Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "datameent" / "web" / "static" / "vendor"

# (tarball, sha512 integrity from the registry, member in the tarball, file name we serve)
ASSETS = (
    (
        "https://registry.npmjs.org/htmx.org/-/htmx.org-2.0.11.tgz",
        "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        "package/dist/htmx.min.js",
        "htmx.min.js",
    ),
)


def fetch(url: str, integrity: str, member: str, name: str) -> None:
    target = VENDOR / name
    if target.exists():
        return
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        sys.exit(f"refusing {url}: integrity {digest} does not match the pinned {integrity}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        extracted = archive.extractfile(member)
        if extracted is None:
            sys.exit(f"{member} is missing from {url}")
        VENDOR.mkdir(parents=True, exist_ok=True)
        target.write_bytes(extracted.read())


def main() -> None:
    for asset in ASSETS:
        fetch(*asset)


if __name__ == "__main__":
    main()
