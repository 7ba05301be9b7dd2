"""Benchmarks that print figures and ratios."""
