"""`python -m hearth.reporting`: run the reporting service (or an operator command, see --help)."""

import sys

from hearth.eventstore.runtime import main
from hearth.reporting.service import SPEC

sys.exit(main(SPEC))
