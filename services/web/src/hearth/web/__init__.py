"""Hearth's staff web app: pages for caseworkers and managers on the services' HTTP APIs."""
