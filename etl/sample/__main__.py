"""python -m etl.sample: write the sample corpus."""

import sys

from etl.sample import main

if __name__ == "__main__":
    sys.exit(main())
