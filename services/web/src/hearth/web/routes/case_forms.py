"""Forms for the commands the APIs accept: `/cases/{case_id}/{command-slug}` (webforms)."""

from fastapi import APIRouter

router = APIRouter()
