"""The auditor's tool: replay a case's history, verify the hash chains, list who read a
case, from the broker alone (`python -m hearth.audit --help`)."""
