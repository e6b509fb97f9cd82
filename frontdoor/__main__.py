import sys

from frontdoor.cli import main

sys.exit(main())
