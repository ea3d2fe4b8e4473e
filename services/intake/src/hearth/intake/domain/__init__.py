"""Intake's rules as pure functions: matching, linking, the ASB signal, building events.

`decider.intake_decider(policy)` ties them together: a command (`commands`) and the
facts the edge loaded (`state`) in, events out; `disclosure` says what the submitter
may be told. Nothing here reads the clock, the database or Kafka: time, ids, secrets
and what the edge found in its tables are passed in.
"""
