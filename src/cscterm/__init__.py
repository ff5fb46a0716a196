"""cscterm: a terminal workbench for customer-service centres."""

__version__ = "0.1.0"
