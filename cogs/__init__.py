"""Everything that imports discord.py: the client, its extensions, and what they share.

- `client.py`: `AssistantBot`, which builds the extensions' services and loads the extensions.
- `services.py`: `CogServices`, what every extension and button gets.
- the other modules directly under `cogs/` are extensions (each has a `setup()`); they never
  import each other;
- `support/`: what extensions share (question flow, rendering, gate, mentors desk, buttons).
"""
