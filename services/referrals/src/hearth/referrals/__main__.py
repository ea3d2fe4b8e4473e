"""`python -m hearth.referrals`: run the referrals service (or an operator command, see --help)."""

import sys

from hearth.eventstore.runtime import main
from hearth.referrals.service import SPEC

sys.exit(main(SPEC))
