"""`python -m hearth.cases`: run the cases service (or an operator command, see --help)."""

import sys

from hearth.cases.service import SPEC
from hearth.eventstore.runtime import main

sys.exit(main(SPEC))
