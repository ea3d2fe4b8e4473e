"""Hearth intake service: reports: every way a concern arrives."""
