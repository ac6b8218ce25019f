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
EXPORT_DONE_DATASET = (
    "Dataset listo en {fmt}: {messages} pares (configuraciones messages y alpaca) y "
    "{preferences} preferencias. Descomprime el .zip y cárgalo con "
    "`datasets.load_dataset(carpeta, configuración)`."
)
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
REVIEW_AUTHORS = {
    "bot": "el bot",
    "mentor": "un mentor",
    "moderator": "moderación",
    "community": "la comunidad",
}
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
OPT_EXPORTAR_FORMATO = "parquet o jsonl (dataset en .zip) o csv (hoja de cálculo)"
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

# --- Mentors in the loop (cogs/support/mentors.py, bot/rag/answer.py) ----------------------
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
    "community": "respuesta de la comunidad",
}
CURATED_LABEL = "*Respuesta ya revisada por personas para una pregunta parecida.*"
STATS_HANDOFFS = (
    "**Ayuda de mentoría:** {opened} pedidas · {answered} respondidas · {open} abiertas · "
    "mediana hasta la respuesta: {median}"
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

# --- Help forums: answers in posts, marked solutions, consent (cogs/forum.py) ----------------
FORUM_NOTICE = (
    "ℹ️ Cuando se marca una solución en este foro, la pregunta y la respuesta aceptada pasan a "
    "formar parte de un dataset abierto en español (con seudónimos, nunca nombres). Si no quieres "
    "que tus mensajes se guarden, usa `/privacidad` (No guardar mis preguntas); "
    "`/borrar-mis-datos` borra lo que ya se guardó."
)
SOLUTION_COMMAND = "Marcar como solución"
SOLUTION_COMMAND_EN = "Mark as solution"
SOLUTION_NOT_FORUM = "Solo se pueden marcar soluciones en las publicaciones de un foro de ayuda."
SOLUTION_NOT_ALLOWED = (
    "Solo quien abrió la publicación, una persona mentora o moderación puede marcar la solución."
)
SOLUTION_OPTED_OUT = (
    "No puedo guardar ese mensaje como solución: su autor o quien preguntó pidió que no se "
    "guarden sus mensajes. Marca otra respuesta o escribe tú la solución."
)
SOLUTION_EMPTY = "Ese mensaje no tiene texto que guardar como solución."
SOLUTION_SAVED = "✅ Marcada como solución: {link}. La publicación lleva ahora la etiqueta «{tag}»."
SOLUTION_SAVED_NO_TAG = (
    "✅ Marcada como solución: {link}. El foro no tiene una etiqueta de resuelto; crea una "
    "llamada «Resuelto» o elige una con `/configurar foro-etiqueta`."
)
SOLUTION_REPLACED = " Sustituye a la solución anterior."
SOLUTION_TAG_FAILED = " No he podido poner la etiqueta (me falta el permiso Gestionar hilos)."
SOLUTION_UNAVAILABLE = "No puedo guardar la solución ahora mismo; inténtalo de nuevo en un rato."
SOLVED_TAG_NAMES = ("resuelto", "resuelta", "solucionado", "solved", "resolved")
STATS_SOLUTIONS = (
    "**Foros de ayuda:** {solved} publicaciones resueltas · mediana hasta la solución: {median} · "
    "respuestas aceptadas: {by_provenance}"
)
CMD_CONFIGURAR_FORO = "Añade o quita un foro de ayuda (el bot responde cada publicación)"
OPT_CONFIGURAR_FORO = "El canal de foro"
CMD_CONFIGURAR_FORO_ETIQUETA = "Nombre de la etiqueta que marca una publicación como resuelta"
OPT_CONFIGURAR_ETIQUETA = "Nombre de la etiqueta (debe existir en el foro)"
CMD_CONFIGURAR_FORO_AVISO = "Texto del aviso de consentimiento en las publicaciones del foro"
OPT_CONFIGURAR_AVISO = "El texto del aviso"
CHOICE_AJUSTE_FOROS = "foros de ayuda"
CHOICE_AJUSTE_ETIQUETA = "etiqueta de resuelto"
CHOICE_AJUSTE_AVISO = "aviso del foro"
SETTINGS_FORUMS = (
    "\n**Foros de ayuda:** {forums}{forums_mark}\n"
    "**Etiqueta de resuelto:** {tag}{tag_mark}\n"
    "**Aviso del foro:** {notice}{notice_mark}"
)
SETTINGS_NO_FORUMS = "ninguno"
SETTINGS_TAG_DEFAULT = "una llamada «Resuelto» o «Solved»"
SETTINGS_NOTICE_DEFAULT = "el de por defecto"
SOLUTION_NOT_STORED = (
    "✅ Marcada como solución: {link}. No la guardo en el dataset: quien preguntó pidió que no se "
    "guarden sus mensajes."
)
SOLUTION_IS_QUESTION = (
    "Ese mensaje es la pregunta de la publicación; marca la respuesta que la resolvió."
)

# Review integrity (issue 18): a decided pair is not re-decided from a stale review message.
REVIEW_ALREADY = (
    "El par {pair_id} ya se revisó ({state}); no se ha cambiado nada. Respuesta actual:\n\n{answer}"
)
REVIEW_ALREADY_DECIDED = "Este par ya se revisó mientras tanto; no se ha cambiado nada."
REVIEW_CHANGED = "Par {pair_id}: {state} (antes estaba {previous})."
