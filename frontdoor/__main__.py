import sys

from frontdoor.cli import main

if __name__ == "__main__":  # not when a worker process imports the program (frontdoor.cpu)
    sys.exit(main())
