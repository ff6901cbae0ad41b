"""`python -m vlmreader`: the same entry point as the `vlmreader` command."""

import sys

from vlmreader.cli import main

sys.exit(main())
