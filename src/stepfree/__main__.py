"""python -m stepfree: the same as the stepfree command."""

import sys

from stepfree.cli import main

sys.exit(main())
