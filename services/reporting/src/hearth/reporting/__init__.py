"""Hearth reporting service: read models rebuilt from the log, for dashboards and audit."""
