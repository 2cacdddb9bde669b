"""lam's first-party plugins, written only against `actions` like any third-party plugin."""
