"""lam's model runtime: backends, catalog and pull, memory estimation, MoE inspection."""
