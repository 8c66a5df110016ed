"""framediff: compare how news outlets frame the same event (the importable helper package)."""

__version__ = "0.1.0"
