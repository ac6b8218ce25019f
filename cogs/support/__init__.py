"""What the extensions share: question flow, rendering, admission gate, mentors desk, buttons.

Nothing here is an extension: no module in this package has a `setup()`, and none is loaded by
`load_extension`. The extensions are the modules directly under `cogs/` (but `client` and
`services`).
"""
