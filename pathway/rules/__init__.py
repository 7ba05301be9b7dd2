"""The clinical rules, one module per family. Each rule's docstring names its source."""
