"""`python -m staff.richmenu` is `python -m staff.richmenu.deploy`."""

import sys

from staff.richmenu.deploy import main

sys.exit(main())
