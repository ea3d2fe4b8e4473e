"""The cases domain: pure decisions over a case's events. No I/O and no clock reads here."""
