"""The record, the report and the names every stage shares."""
