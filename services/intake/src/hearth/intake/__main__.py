"""`python -m hearth.intake`: run the intake service (or an operator command, see --help)."""

import sys

from hearth.eventstore.runtime import main
from hearth.intake.service import SPEC

sys.exit(main(SPEC))
