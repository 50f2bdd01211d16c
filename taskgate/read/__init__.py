"""Bytes to validated run records: lines, gzip, depth, tasks files."""
