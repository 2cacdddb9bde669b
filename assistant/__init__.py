"""lam's application: runtime, planner, verifier, executor, journal, CLI and TUI."""
