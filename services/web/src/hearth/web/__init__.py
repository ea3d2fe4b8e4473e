"""Hearth staff web app."""
