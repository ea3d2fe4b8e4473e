"""`python -m hearth.risk`: run the risk service (or an operator command, see --help)."""

import sys

from hearth.eventstore.runtime import main
from hearth.risk.service import SPEC

sys.exit(main(SPEC))
