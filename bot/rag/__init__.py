"""The knowledge pipeline: corpus, chunks, embeddings, index, answers (no discord.py here)."""
