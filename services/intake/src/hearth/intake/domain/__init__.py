"""Intake's rules as pure functions: matching, linking, the ASB signal, building events.

Nothing here reads the clock, the database or Kafka: time, secrets and what the edge
found in its tables are passed in.
"""
