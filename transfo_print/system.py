"""Check the system libraries the layout engine needs; say which package is missing."""

from __future__ import annotations

import ctypes.util
import sys

# library name -> Debian package that provides it
LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz-subset": "libharfbuzz-subset0",
}


def missing_packages() -> list[str]:
    return [package for library, package in LIBRARIES.items()
            if ctypes.util.find_library(library) is None]


def main() -> int:
    missing = missing_packages()
    if missing:
        print(f"transfo-print needs system libraries: apt-get install {' '.join(missing)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
