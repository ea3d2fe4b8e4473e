"""`python -m hearth.audit`: the auditor's tool (see `hearth.audit.cli`)."""

import sys

from hearth.audit.cli import main

sys.exit(main())
