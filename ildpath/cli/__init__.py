"""The `ildpath` command line."""
