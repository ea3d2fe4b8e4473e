"""Hearth cases service: the case's lifecycle, contact, timescales, repairs, flags, closure."""
