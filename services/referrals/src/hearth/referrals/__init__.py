"""Hearth referrals service: MARAC and agency referrals, and consent."""
