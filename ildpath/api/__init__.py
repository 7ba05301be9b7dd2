"""The REST API (and, mounted beside it, the dashboard) of ildpath."""
