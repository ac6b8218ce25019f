"""Tell a question from a message that is not one: small talk, orders, tasks, no words.

Checked before retrieval, so "hola" gets a greeting instead of passages, an attempt to
re-program the bot (a "forget your instructions" order, a fake `SYSTEM:` turn, a closing tag of
the prompt) is refused without reaching the LLM, and so is a request to produce something the
talks are not about (a poem, a story, a program, a translation) unless it refers to the talks.
The rules describe kinds of message in common Spanish and English phrasings, as general patterns
(no message of an evaluation set is copied into them); they are checked against every in-scope
question of bench/data (none may match) by tests/rag/test_intent.py.
"""

from __future__ import annotations

import re

from bot.rag.glossary import fold
from bot.rag.types import Intent


def _word_set(words: str) -> frozenset[str]:
    """Return the folded words of a space-separated list."""
    return frozenset(words.split())


# Words that small talk is made of; a message made only of them is small talk, not a question.
_GREETING_WORDS = _word_set(
    """
    hola holi holis buenas buenos buen buena dia dias tarde tardes noche noches saludos saludo
    hey hi hello ey ei que tal como estas esta estais estan va todo todos todas a y o e tu
    usted vosotros ustedes quien eres sois gente chicos chicas amigos amigas equipo bot
    asistente ok okay okey vale bien muy mucho bueno genial perfecto guay super estupendo claro
    entendido si no nada adios chao chau hasta luego pronto bye nos vemos lol xd the el la los
    las un una de por favor me te
    tengo tienes duda dudas pregunta preguntas consulta ayuda ayudar ayudame ayudarme puedo puedes
    podeis preguntar algo alguien hay ahi aqui otra otro
    """
)
_THANKS_WORDS = _word_set(
    "gracias graciass thanks thank you thx ty agradezco agradecido agradecida mil muchas "
    "muchisimas muchisimo"
)
_LAUGH = re.compile(r"^(?:j[aeiou])+j?$|^(?:h[aeiou])+h?$")

# Orders aimed at the assistant rather than questions about the talks.
_INSTRUCTION = re.compile(
    "|".join(
        (
            # "ignora / olvida (todas) tus instrucciones", "ignore previous instructions"
            r"\b(?:ignora|ignorad|ignore|olvida|olvidad|olvidate|omite|desobedece|disregard|forget"
            r"|saltate)\b"
            r"[^.?!]{0,40}\b(?:instruccion\w*|instructions?|indicaciones|reglas|rules|normas"
            r"|contexto|context|prompt|restricciones|lo anterior|todo lo que|previous|above)",
            # a fake turn of the conversation or a tag closing the prompt
            r"^\W*(?:system|sistema|assistant|asistente|developer|user|usuario|admin\w*)\W{0,3}:",
            r"</?\s*(?:passages?|pasajes?|context\w*|system|sistema|instruc\w*|documents?)\s*>",
            r"<\|?\s*(?:im_start|im_end|endoftext|system)",
            # "a partir de ahora eres…", "actúa como…", "finge que…", "juego de rol: eres…"
            r"\b(?:a partir de|desde) (?:ahora|este (?:mensaje|momento))\b|\bfrom now on\b",
            r"^\W*(?:(?:por favor|porfa|porfis|oye|venga|please)\W+)*"
            r"(?:actua|act|finge|pretend|imagina que eres|haz como si|roleplay)\b",
            r"(?:^|:)\W*(?:ahora )?(?:tu )?eres (?:un|una|mi)\b",
            r"\b(?:jug(?:ar|amos) a un juego|juego de rol|role ?play)\b",
            # "revela tu prompt", the bot's secrets, "desactiva las restricciones", jailbreaks
            r"\b(?:tu|tus|your)\s+(?:\w+\s+)?(?:prompt|system prompt|instrucciones|instructions"
            r"|reglas|claves?|contrasenas?|passwords?|api keys?|tokens?|credenciales|secretos?"
            r"|variables de entorno|secrets?)\b",
            r"\b(?:tu|your)\s+(?:configuracion|config|settings)\s+(?:completa|interna|entera|exacta"
            r"|del sistema|full|internal)\b|\bcualquier secreto\b",
            r"\b(?:tokens?|api keys?|claves?|contrasenas?|passwords?|credenciales|secretos?)\s+"
            r"(?:del|de este|de la|of the|of this)\s+(?:bot|asistente|servidor|server|sistema)\b",
            # "repite el texto de arriba": the prompt itself, quoted back
            r"\b(?:repit\w*|repeat|muestra\w*|copia\w*|imprim\w*|print|show)\b[^.?!]{0,30}"
            r"\b(?:texto|text|mensaje|message|prompt|instrucciones)\s+(?:de arriba|above|inicial"
            r"|del sistema)\b",
            r"\b(?:desactiv\w*|elimin\w*|quit\w*|disable|bypass)\s+(?:tod[ao]s )?"
            r"(?:las |tus |los |tu )?(?:restricciones|filtros|reglas|limitaciones|salvaguardas"
            r"|restrictions|filters)",
            r"\b(?:jailbreak|modo desarrollador|developer mode|modo dios|god mode)\b",
            r"\b(?:nuevas?|new|otras?)\s+(?:orden(?:es)?|instruc\w*|directiv\w*|orders?|directives?)"
            r"\s*:",
            # "repite X mil veces", "print the word"
            r"\b(?:repit\w*|repeat|escrib\w*|say|print|imprim\w*)\b[^.?!]{0,40}"
            r"\b(?:\d+|mil|cien|infinit\w*) (?:veces|times)\b",
            # "responde solo con X", "answer only with X": dictating the output
            r"\b(?:responde|contesta|di|escribe|answer|reply|respond|say|print|output)\w*\s+"
            r"(?:solo|solamente|unicamente|only|just)\s+(?:con|with|la palabra|the word)\b",
        )
    )
)

# A request to produce something rather than a question: a creative piece, a program, a
# translation. An order at the start of the message or of one of its sentences or questions
# (after polite words), naming what to produce.
# The pronoun of whom the order is for, before its verb: "¿me escribes…?", "nos puedes…".
_FOR_US = r"(?:me |nos )?"
_POLITE = (
    r"(?:^|[.!?]\s+|¿)\W*(?:(?:por favor|porfa|oye|venga|please|hey)\W+)*"
    r"(?:(?:quiero|necesito|me gustaria|i want|i need) (?:que )?)?"
    rf"(?:{_FOR_US}(?:puedes|podrias|podeis|puede|podria|can you|could you|would you)\s+)?"
)
_MAKE = (
    r"(?:escrib\w*|redact\w*|compon\w*|crea\w*|genera\w*|invent\w*|haz\w*|hac\w*|program\w*"
    r"|implementa\w*|dibuj\w*|write|compose|create|generate|make|draw|code|implement)"
)
_PIECE = (
    r"(?:poema\w*|poesias?|versos?|haikus?|sonetos?|rimas?|cancion\w*|letras? de|rap|cuentos?"
    r"|relatos?|fabulas?|novelas?|chistes?|bromas?|ensayos?|cartas?|emails?|correos?|tuits?"
    r"|tweets?|discursos?|recetas?|dibujos?|imagen\w*|logos?|bios?|biografias?|anuncios?"
    r"|esloganes|eslogan|slogans?|felicitacion\w*|dedicatorias?|invitacion\w*"
    r"|poems?|songs?|lyrics|story|stories|jokes?|essays?|letters?|recipes?|pictures?|images?|ads?)"
)
# Programs are judged by the relevance gate instead: code for what the talks teach (fine-tuning,
# distilabel, the Hub) is a question about them; code for anything else is refused as a task.
_CODE = (
    r"(?:codigos?|scripts?|programas?|funcion\w*|algoritmos?|paginas? web|consultas? sql|regex"
    r"|expresion\w* regular\w*|notebooks?|code|functions?|programs?)"
)


def _request(piece: str) -> str:
    """Return the pattern of an order to produce a `piece`, opening a message or a sentence."""
    return (
        rf"{_POLITE}(?:{_FOR_US}{_MAKE}\w*\b[^?]{{0,50}}?\b{piece}\b"
        rf"|(?:dame|quiero|necesito|give me|i want|i need)\s+(?:un|una|unos|unas|el|la|a|an)"
        rf"\s+(?:\w+\s+)?{piece}\b)"
    )


# Editing a text the user pastes or names as theirs: "corrige este texto: …", "mejora mi carta".
_EDIT = (
    rf"(?:{_FOR_US}(?:corrig\w*|correg\w*|revis\w*|reescrib\w*|reformul\w*|parafrase\w*"
    r"|mejora\w*|mejoren|resum\w*|acort\w*"
    r"|correct|fix|rewrite|rephrase|proofread|summari[sz]e|shorten)"
    r"\b[^?:]{0,30}?\b(?:(?:este|esta|estos|estas|el siguiente|la siguiente|mis?|this|my)\s+"
    r"(?:textos?|parrafos?|frases?|oracion\w*|correos?|emails?|mensajes?|cartas?|redaccion\w*"
    r"|texts?|paragraphs?|sentences?|messages?|letters?)|ortografia|gramatica|spelling|grammar)\b)"
)
# Asking how to say something in a foreign language is a translation ("en español" stays a
# question: the talks' jargon in Spanish).
_SAY_IN = (
    r"(?:como|how)\s+(?:se\s+dice|se\s+escribe|se\s+traduce|do you say|would you say)\b[^?]{0,80}"
    r"\b(?:en|al|in|into)\s+(?:ingles|frances|aleman|italiano|portugues|chino|japones|ruso|arabe"
    r"|coreano|english|french|german|italian|portuguese|chinese|japanese|russian|arabic)\b"
)
_TASK = re.compile(
    _request(_PIECE)
    + rf"|{_POLITE}(?:(?:cuent\w*|dime|recit\w*|tell(?: me)?)\b[^?]{{0,20}}?\b(?:chistes?|poemas?"
    r"|cuentos?|jokes?|poems?|story)\b|(?:traduc\w*|translate)\b" + rf"|{_EDIT}|{_SAY_IN})"
)
_CODE_REQUEST = re.compile(_request(_CODE))
# A task that refers to the talks ("traduce lo que dijo Elena", "el código del taller") is left to
# the search and the gate.
_ABOUT_TALKS = re.compile(
    r"\b(?:charlas?|talleres|taller|ponencias?|keynotes?|hackathon|hackaton|ponente\w*"
    r"|segun|dijo|(?<!se )dice|explic\w*|mostr\w*|ense\w*|coment\w*|mencion\w*|cont\w+ en|talk"
    r"|workshop)\b"
)
_WORDS = re.compile(r"[^\W\d_]+")


def classify(message: str) -> Intent:
    """Return what `message` is: a question, a code request, small talk, an order, a task."""
    folded = fold(message).strip()
    words = _WORDS.findall(folded)
    if not words:
        return "no_words"
    if _INSTRUCTION.search(folded):
        return "instruction"
    if not _ABOUT_TALKS.search(folded):
        if _TASK.search(folded):
            return "task"
        if _CODE_REQUEST.search(folded):
            return "code"
    chatter = [word for word in words if not _LAUGH.match(word)]
    if all(word in _THANKS_WORDS or word in _GREETING_WORDS for word in chatter):
        return "thanks" if any(word in _THANKS_WORDS for word in chatter) else "greeting"
    return "question"
