"""`python -m ildpath` runs the command line."""

from ildpath.cli.main import main

main()
