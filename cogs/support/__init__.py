"""Helpers the extensions import (the question flow, permission checks, the review queue).

Nothing here is an extension: no module in this package has a `setup()`, and none is loaded by
`load_extension`. The extensions are the modules directly under `cogs/`.
"""
