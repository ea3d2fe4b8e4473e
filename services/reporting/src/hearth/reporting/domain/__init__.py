"""Reporting's pure part: projections of events into facts, figures, suppression."""
