"""`python -m sandbox` runs the `payluk-sandbox` command."""

import sys

from sandbox.cli import main

sys.exit(main())
