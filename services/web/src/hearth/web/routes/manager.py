"""The manager's day and the dashboard: `/team...`, `/dashboard` (webmanager)."""

from fastapi import APIRouter

router = APIRouter()
