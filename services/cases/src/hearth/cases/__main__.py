"""`python -m hearth.cases`: run the cases service (or an operator command, see --help)."""

import sys

from hearth.eventstore.runtime import main

from .service import SPEC

sys.exit(main(SPEC))
