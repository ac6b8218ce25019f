"""Faithful fake servers for what cannot run in tests (a chat LLM, Discord)."""
