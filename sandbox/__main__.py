"""`python -m sandbox` runs the `payluk-sandbox` command."""

import sys

from sandbox.server.cli import main

sys.exit(main())
