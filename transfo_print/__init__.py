"""transfo-print: structured sheets laid out as engineering-drawing pages."""

__version__ = "0.1.0"
