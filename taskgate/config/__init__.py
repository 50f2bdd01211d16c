"""The config: its model, loading with line numbers, its messages and its template."""
