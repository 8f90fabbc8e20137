"""``python -m threadkeep``: the same as the ``threadkeep`` command."""

from threadkeep.cli import main

main()
