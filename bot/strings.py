"""Every user-facing Spanish string, in one place.

Placeholders use `str.format` names. Code, logs and docs stay in English.
"""

from __future__ import annotations

# --- Questions -------------------------------------------------------------------------------
EMPTY_QUESTION = "Tu pregunta está vacía. Escribe qué quieres saber sobre las charlas del hackatón."
QUESTION_TOO_LONG = (
    "Tu pregunta es demasiado larga ({length} caracteres; el máximo es {limit}). "
    "Resúmela en unas pocas frases y vuelve a intentarlo."
)

# --- Retrieval --------------------------------------------------------------------------------
INDEX_MISSING = (
    "Todavía no hay ninguna charla indexada. Pide a quien administra el bot que ejecute "
    "`pide-ayuda ingest`."
)
INDEX_UNAVAILABLE = "No puedo consultar las charlas en este momento. Inténtalo de nuevo en un rato."
NOT_COVERED = (
    "Las charlas del hackatón no parecen tratar este tema, así que prefiero no inventar una "
    "respuesta."
)
CLOSEST_TALKS = "Las charlas más cercanas son:"

# --- Retrieval errors (helper A: bot/rag/errors.py) -------------------------------------------
INDEX_MISMATCH = (
    "El índice de las charlas se creó con otro modelo de embeddings. Pide a quien administra "
    "el bot que ejecute `pide-ayuda ingest --rebuild`."
)
EMBEDDINGS_UNAVAILABLE = (
    "El servicio de embeddings no responde ahora mismo. Inténtalo de nuevo en unos minutos."
)
CORPUS_UNAVAILABLE = (
    "No he podido cargar las transcripciones de las charlas. Avisa a quien administra el bot."
)

# --- Answers ---------------------------------------------------------------------------------
EXTRACTIVE_LABEL = (
    "*Respuesta extractiva (sin modelo de lenguaje): fragmentos literales de las charlas.*"
)
SOURCES_HEADER = "**Fuentes**"
PARTIAL_ANSWER_NOTE = "*(Respuesta incompleta: la generación se interrumpió.)*"
LLM_UNAVAILABLE = (
    "El modelo de lenguaje no responde ahora mismo. Inténtalo de nuevo en unos minutos."
)
LLM_TIMEOUT = "El modelo de lenguaje tardó demasiado en responder. Inténtalo de nuevo en un rato."
LLM_BUSY = "El modelo de lenguaje está saturado. Inténtalo de nuevo en unos segundos."
LLM_PROMPT_TOO_LONG = (
    "La conversación es demasiado larga para el modelo. Abre un hilo nuevo o acorta la pregunta."
)
LLM_MISCONFIGURED = "El modelo de lenguaje está mal configurado. Avisa a quien administra el bot."
UNEXPECTED_ERROR = (
    "Algo ha fallado al responder tu pregunta. Ya lo hemos registrado; inténtalo de nuevo."
)

# --- Q&A log (store) -------------------------------------------------------------------------
STORE_UNAVAILABLE = (
    "No puedo acceder al registro de preguntas ahora mismo. Inténtalo de nuevo en un rato."
)
PAIR_NOT_FOUND = "No encuentro esa pregunta en el registro; puede que se haya borrado."
