"""ildpath: the application around the pathway (use cases, command line, scenario runner).

Decision support for clinicians and care coordinators: the engine proposes, people decide.
"""

__version__ = "0.1.0"
