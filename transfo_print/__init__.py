"""transfo-print: structured sheets laid out as engineering-drawing pages."""

try:
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("transfo-print")  # declared once, in pyproject.toml
    except PackageNotFoundError:  # a checkout on sys.path, not installed
        __version__ = "0+unknown"
except KeyboardInterrupt:  # Ctrl-C while the tool is still starting: nothing was done yet
    raise SystemExit(130) from None
