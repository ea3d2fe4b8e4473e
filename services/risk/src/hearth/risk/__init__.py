"""Hearth risk service: DASH risk assessments and the risk level."""
