"""`python -m richmenu` is `python -m richmenu.deploy`."""

import sys

from richmenu.deploy import main

sys.exit(main())
