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
# Messages that are not questions (bot/rag/intent.py).
GREETING_REPLY = (
    "¡Hola! Respondo preguntas sobre las charlas del hackatón y cito las charlas en que me baso. "
    "Escribe tu pregunta, por ejemplo: «¿Qué es distilabel?»."
)
THANKS_REPLY = "¡De nada! Si tienes otra pregunta sobre las charlas del hackatón, escríbela."
INSTRUCTION_REFUSED = (
    "Solo respondo preguntas sobre las charlas del hackatón; no sigo instrucciones que cambien "
    "cómo funciono."
)
NO_WORDS = "Tu mensaje no tiene palabras. Escribe tu pregunta sobre las charlas del hackatón."

# --- Issue 19: requests for tasks, and answers while the LLM is unreachable (bot/rag) -----------
TASK_REFUSED = (
    "Solo respondo preguntas sobre las charlas del hackatón, así que no escribo poemas, cuentos, "
    "código ni traducciones que no tengan que ver con ellas. Si tienes una pregunta sobre las "
    "charlas, escríbela."
)
LLM_DOWN_NOTICE = (
    "*El modelo de lenguaje no responde ahora mismo, así que te muestro fragmentos literales de "
    "las charlas.*"
)

# --- Retrieval errors (bot/rag/errors.py) -------------------------------------------------------
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
PAIR_NOT_SAVED_YET = (
    "No encuentro esta respuesta en el registro: puede que aún se esté guardando (vuelve a "
    "pulsar el botón dentro de un momento) o que se haya borrado."
)

# --- Discord (cogs) --------------------------------------------------------------------------
THINKING = "Pensando…"
COOLDOWN = "Acabas de preguntar. Espera {seconds} s antes de hacer otra pregunta."
QUEUED = "Hay muchas preguntas en curso: la tuya está en cola y empezará en unos {seconds} s."
BUSY = "Hay demasiadas preguntas en curso. Vuelve a intentarlo en unos {seconds} s."
SHUTTING_DOWN = "El bot se está reiniciando. Vuelve a preguntar en un minuto."
CANCELLED = "*(Respuesta cancelada: el bot se está reiniciando. Vuelve a preguntar en un minuto.)*"
INTERRUPTED = (
    "*(Respuesta interrumpida: el bot se reinició antes de terminarla. Vuelve a preguntar.)*"
)
DELIVERY_CUT = "*(Discord no me dejó enviar el resto de la respuesta. Vuelve a preguntar.)*"
INTERACTION_FAILED = "Algo ha fallado con este botón. Inténtalo de nuevo en un momento."
THREAD_NAME = "Pregunta de {name}"
VOTE_THANKS = "¡Gracias! Hemos guardado tu valoración."
PRIVACY_OPTED_OUT = (
    "Hecho: a partir de ahora tus preguntas no se guardarán. Puedes volver con `/privacidad`."
)
PRIVACY_OPTED_IN = (
    "Hecho: tus preguntas volverán a guardarse para mejorar el conjunto de datos del hackatón."
)
DELETE_CONFIRM = (
    "¿Seguro que quieres borrar todas tus preguntas, respuestas y valoraciones guardadas? "
    "No se puede deshacer."
)
DELETE_BUTTON = "Sí, borrar mis datos"
DELETE_DONE = (
    "Hecho: he borrado {count} registros tuyos (preguntas con sus respuestas y valoraciones)."
)
MODERATORS_ONLY = (
    "Este comando es solo para moderación (Gestionar servidor o el rol de moderación)."
)
NOT_ALLOWED = "No puedes usar este comando aquí."
COMMAND_FAILED = "Algo ha fallado con este comando. Ya lo hemos registrado; inténtalo de nuevo."
EXPORT_DONE = "Exportación lista: {count} pares en formato {fmt}."
EXPORT_EMPTY = "No hay pares que exportar con ese filtro."
EXPORT_TOO_BIG = (
    "La exportación ({size} MB) no cabe en un mensaje de Discord; usa `pide-ayuda export`."
)
REVIEW_NONE = "No queda ningún par pendiente de revisión. ¡Buen trabajo!"
REVIEW_DONE = "Par {pair_id}: {state}."
REVIEW_STATES = {"approved": "aprobado", "edited": "editado y aprobado", "rejected": "rechazado"}
REVIEW_APPROVE = "Aprobar"
REVIEW_EDIT = "Editar"
REVIEW_REJECT = "Rechazar"
REVIEW_MODAL_TITLE = "Editar la respuesta"
REVIEW_MODAL_FIELD = "Respuesta corregida"
REINDEX_STARTED = "Reindexando las charlas; puede tardar unos minutos…"
REINDEX_DONE = "Índice actualizado: {talks} charlas, {chunks} fragmentos."
REINDEX_FAILED = "No se pudo reindexar: {reason}"
REINDEX_BUSY = "Ya hay una reindexación en curso."
STATS_TEXT = (
    "**Pares registrados:** {total}\n**Por estado:** {statuses}\n**Revisión:** {reviews}\n"
    "**Votos:** 👍 {up} · 👎 {down} ({voted} pares valorados)\n"
    "**Personas excluidas del registro:** {opted_out}\n**Charlas más citadas:**\n{talks}"
)
REVIEW_AUTHORS = {"bot": "el bot", "mentor": "un mentor", "moderator": "moderación"}
REVIEW_TEXT = (
    "**Par {pair_id}** · {surface} · {status} · responde {author} · 👍 {up} 👎 {down}\n"
    "**Pregunta:** {question}\n"
    "**Respuesta:**\n{answer}\n**{sources_header}:**\n{sources}"
)

# --- Slash commands: descriptions, options and choices shown in Discord's command picker ---
CMD_PREGUNTA = "Pregunta sobre las charlas del hackatón"
OPT_PREGUNTA_TEXTO = "Tu pregunta, en una o varias frases"
CMD_PRIVACIDAD = "Decide si se guardan tus preguntas"
OPT_PRIVACIDAD_REGISTRO = "Si tus preguntas y respuestas se guardan para el dataset"
CHOICE_REGISTRO_NO = "No guardar mis preguntas"
CHOICE_REGISTRO_SI = "Guardar mis preguntas"
CMD_BORRAR_MIS_DATOS = "Borra todo lo guardado sobre ti"
CMD_EXPORTAR = "Exporta los pares como dataset (moderación)"
OPT_EXPORTAR_FORMATO = "Formato del fichero"
OPT_EXPORTAR_ESTADO = "Qué pares exportar"
CHOICE_ESTADO_APROBADOS = "aprobados (y editados)"
CHOICE_ESTADO_PENDIENTES = "pendientes de revisión"
CHOICE_ESTADO_RECHAZADOS = "rechazados"
CHOICE_ESTADO_TODOS = "todos salvo errores y rechazados"
CMD_REVISAR = "Revisa el siguiente par pendiente (moderación)"
CMD_ESTADISTICAS = "Cifras del registro de preguntas (moderación)"
CMD_REINDEXAR = "Reconstruye el índice de charlas (moderación)"
OPT_REINDEXAR_FUENTE = "De dónde leer las charlas"
CHOICE_FUENTE_HF = "dataset configurado (HF_DATASET)"
CHOICE_FUENTE_MUESTRA = "muestra incluida (4 charlas)"

# --- Mentors in the loop (cogs/mentors.py, bot/rag/answer.py) ------------------------------
HANDOFF_BUTTON = "Pedir ayuda a una persona"
HANDOFF_CALL = (
    "{role}: el bot no ha sabido responder a esta pregunta. ¿Alguien del equipo de mentoría "
    "puede ayudar?\n> {question}"
)
HANDOFF_NO_ROLE = (
    "Este servidor ya no tiene un rol de mentoría, así que no puedo avisar a nadie. "
    "Pregunta en el canal de ayuda."
)
HANDOFF_CALL_NO_QUESTION = (
    "{role}: se ha pedido ayuda a una persona con esta pregunta. ¿Alguien del equipo de "
    "mentoría puede echar una mano?"
)
HANDOFF_THREAD_NAME = "Ayuda para {name}"
HANDOFF_DONE = "Hecho: he avisado al equipo de mentoría en el hilo de tu pregunta."
HANDOFF_ALREADY = "Esta pregunta ya se ha pasado al equipo de mentoría."
HANDOFF_LIMITED = (
    "Ya has pedido ayuda a una persona {limit} veces en las últimas 24 horas. "
    "Inténtalo de nuevo más tarde."
)
HANDOFF_NOT_ASKER = "Solo quien hizo la pregunta puede pedir ayuda a una persona."
HANDOFF_FAILED = "No he podido avisar al equipo de mentoría. Inténtalo de nuevo en un rato."
FAQ_AUTHORS = {
    "bot": "respuesta revisada",
    "edited": "respuesta revisada",
    "mentor": "respuesta de mentoría",
    "moderator": "respuesta de moderación",
}
CURATED_LABEL = "*Respuesta ya revisada por personas para una pregunta parecida.*"
STATS_HANDOFFS = (
    "**Ayuda de mentoría:** {opened} pedidas · {answered} respondidas · {open} abiertas · "
    "mediana hasta la respuesta: {median}"
)

# --- Bot messages that are notices, not answers (follow-up history leaves them out) ----------
NOTICES = (
    THINKING,
    COOLDOWN,
    QUEUED,
    BUSY,
    SHUTTING_DOWN,
    CANCELLED,
    INTERRUPTED,
    DELIVERY_CUT,
    UNEXPECTED_ERROR,
    EMPTY_QUESTION,
    QUESTION_TOO_LONG,
    GREETING_REPLY,
    THANKS_REPLY,
    INSTRUCTION_REFUSED,
    NO_WORDS,
    TASK_REFUSED,
    INDEX_MISSING,
    INDEX_UNAVAILABLE,
    INDEX_MISMATCH,
    EMBEDDINGS_UNAVAILABLE,
    LLM_UNAVAILABLE,
    LLM_TIMEOUT,
    LLM_BUSY,
    LLM_PROMPT_TOO_LONG,
    LLM_MISCONFIGURED,
    STORE_UNAVAILABLE,
)

# --- Answers from a small model: fallback and consulted talks (bot/rag/answer.py, render) ---
FALLBACK_NOTICE = (
    "*El modelo de lenguaje generó un texto defectuoso, así que en su lugar te muestro "
    "fragmentos literales de las charlas.*"
)
CONSULTED_HEADER = "**Charlas consultadas** (la respuesta no cita ningún fragmento)"

# --- Per-server settings: /configurar (cogs/configure.py) -------------------------------------
CHANNEL_NOT_ALLOWED = (
    "En este canal no respondo preguntas; pregunta en uno de los canales de ayuda."
)
MANAGE_SERVER_ONLY = "Solo quien puede gestionar el servidor puede cambiar mis ajustes."
CMD_CONFIGURAR = "Ajustes del bot en este servidor (Gestionar servidor)"
CMD_CONFIGURAR_VER = "Muestra los ajustes de este servidor"
CMD_CONFIGURAR_CANAL = "Añade o quita un canal donde se responden preguntas"
OPT_CONFIGURAR_ACCION = "Añadir o quitar el canal"
OPT_CONFIGURAR_CANAL = "El canal"
CHOICE_ACCION_ANADIR = "añadir"
CHOICE_ACCION_QUITAR = "quitar"
CMD_CONFIGURAR_MODERADOR = "Rol que puede usar los comandos de moderación"
CMD_CONFIGURAR_MENTOR = "Rol de las personas mentoras"
OPT_CONFIGURAR_ROL = "El rol"
CMD_CONFIGURAR_ESPERA = "Segundos que espera cada persona entre preguntas"
OPT_CONFIGURAR_SEGUNDOS = "Segundos (0 = sin espera)"
CMD_CONFIGURAR_RESTABLECER = "Vuelve a los valores por defecto"
OPT_CONFIGURAR_AJUSTE = "Qué ajuste restablecer"
CHOICE_AJUSTE_CANALES = "canales"
CHOICE_AJUSTE_MODERADOR = "rol de moderación"
CHOICE_AJUSTE_MENTOR = "rol de mentores"
CHOICE_AJUSTE_ESPERA = "espera entre preguntas"
CHOICE_AJUSTE_TODO = "todos"
SETTINGS_TEXT = (
    "**Ajustes de este servidor** (⚙️ = cambiado aquí; el resto es el valor por defecto)\n"
    "**Canales de preguntas:** {channels}{channels_mark}\n"
    "**Rol de moderación:** {moderator}{moderator_mark}\n"
    "**Rol de mentores:** {mentor}{mentor_mark}\n"
    "**Espera entre preguntas:** {cooldown} s{cooldown_mark}"
)
SETTINGS_ALL_CHANNELS = "todos"
SETTINGS_NO_ROLE = "ninguno"
SETTINGS_SAVED = "Guardado. Se aplica ya en todo el bot.\n\n{settings}"
SETTINGS_UNAVAILABLE = "No puedo guardar los ajustes ahora mismo; inténtalo de nuevo en un rato."
