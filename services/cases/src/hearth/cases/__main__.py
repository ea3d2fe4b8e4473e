"""`python -m hearth.cases`: run the cases service (or an operator command, see --help).

`python -m hearth.cases rebuild-read-model` replays the event store into the case
summary and deadlines tables (run it with the service stopped, or accept that commands
wait for it: it locks both tables while it works).
"""

import asyncio
import sys

from hearth.eventstore.logs import configure_logging
from hearth.eventstore.runtime import main
from hearth.eventstore.settings import ServiceSettings

from .operations import rebuild_read_model
from .service import SPEC

if sys.argv[1:] == ["rebuild-read-model"]:
    settings = ServiceSettings()
    configure_logging(SPEC.name, settings.log_level)
    rebuilt = asyncio.run(rebuild_read_model(SPEC, settings))
    print(f"case summary and deadlines rebuilt from the event store: {rebuilt} cases")
    sys.exit(0)
sys.exit(main(SPEC))
