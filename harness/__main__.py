"""``python -m harness``: the command-line interface (see ``harness.cli``)."""

import sys

from harness.cli import main

sys.exit(main())
