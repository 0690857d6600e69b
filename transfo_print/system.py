"""Check the system libraries the layout engine needs; say which package is missing."""

from __future__ import annotations

import ctypes
import sys

# library (soname) -> Debian package that provides it
LIBRARIES = {
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libpangoft2-1.0.so.0": "libpangoft2-1.0-0",
    "libharfbuzz-subset.so.0": "libharfbuzz-subset0",
}


def _loads(library: str) -> bool:
    """Whether the dynamic loader finds `library` (no compiler or ldconfig run)."""
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def missing_packages() -> list[str]:
    return [package for library, package in LIBRARIES.items() if not _loads(library)]


def main() -> int:
    missing = missing_packages()
    if missing:
        print(f"transfo-print needs system libraries: apt-get install {' '.join(missing)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
