"""Forms for every command the cases, risk and referrals APIs accept: declared in
`catalogue` (and `dash` for the risk checklist), turned into API bodies by `body`,
with the APIs' refusals put back next to the fields they name by `problems`."""
