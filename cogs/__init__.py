"""Thin Discord surface: parse, call the services in `bot/` and `store/`, render."""
