"""Rules over the report's summaries: findings, and the verdict."""
