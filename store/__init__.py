"""Persistence of questions, answers, feedback and reviews (no discord.py here)."""
