"""Fold accents and normalise Whisper's frequent mis-transcriptions of names and jargon.

Transcripts are normalised with every rule when they are indexed (`normalise`: the lexical leg's
terms are built at ingest from the normalised chunks), so that "argila", "Argilla" and "ARGILLA"
meet on one token. A question goes through `normalise_question`, which leaves out the rules for
what Whisper heard as ordinary Spanish words (`_HEARD_AS_SPANISH`: "envidia" for Nvidia, "cesio"
for seseo, "gema" for Gemma, "lama" for Llama, "vlm" for vLLM): a participant who types
"envidia" means envy. Entries are general vocabulary of the hackathon's domain, written for
accent-folded, lower-cased text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# What Whisper heard as ordinary Spanish words (or a common acronym): only for transcripts.
_HEARD_AS_SPANISH: tuple[tuple[str, str], ...] = (
    (r"\b(?:y\s+en\s+estru[zt]?|en\s+estruz)\b", "genstruct"),
    (r"\bno\s+es\s+research\b", "nousresearch"),
    (r"\bdp\s+o\b|\bdepio\b", "dpo"),
    (r"\bjuristic\w*", "heuristico"),
    (r"\brac\b", "rag"),
    (r"\b(?:la\s+anshin|lantern)\b", "langchain"),
    (r"\blama\b", "llama"),
    (r"\benvidia\b", "nvidia"),
    (r"\bnotos\b", "notus"),
    (r"\bcesio\b", "seseo"),
    (r"\baguilla\s+de\s+carbono\b", "huellacarbono"),
    (r"\botra\s*feedback\b", "ultrafeedback"),
    (r"\bgema\b", "gemma"),
    (r"\bvlm\b", "vllm"),
    (r"\bmlt\b", "mit"),
    (r"\baura\s+alpha\b", "lora alpha"),
)
# Spellings of the domain's terms that no Spanish word shares: for transcripts and questions.
_GLOSSARY: tuple[tuple[str, str], ...] = (
    # Code identifiers are spoken as words: "lora_alpha", "max_seq_length", "push_to_hub".
    (r"_+", " "),
    (
        r"\b(?:javi|havin|having|jaguin|haguin|hagin|hugin|hugging|jugging|hub\s+in|hi\s+in)"
        r"\s+(?:and\s+)?(?:face|faces|faiths|feis|pace|facebook)\b",
        "huggingface",
    ),
    (r"\b(?:hugging|hadin|haggin|hind|javier)\s*(?:face|feis)\b", "huggingface"),
    (r"\b(?:argil+a|agila|archila|argyla)\b", "argilla"),
    (r"\bdistil+\s*(?:label|labels|able|abel)\b", "distilabel"),
    (r"\b(?:cefir|cefyr|zefir|zephir|zephyr|sefir|cephir|cfir|cfil)\b", "zephyr"),
    # Training stages and techniques, as spoken in Spanish and as Whisper heard them.
    (
        r"\bsuper\s*(?:vised|vise|vice|vais|base|by|bay)\s*"
        r"(?:fine[\s-]*tun\w*|finetino|fan\s*tuning|21)",
        "supervisedfinetuning",
    ),
    (r"\bsft\b", "supervisedfinetuning"),
    (r"\b(?:reinforcement\s+learning|reinformer\s+redding)\s+from\s+human\s+feedback\b", "rlhf"),
    (r"\b(?:reward|riguard)\s+models?\b", "rewardmodel"),
    (r"\bdirect\s+preferen\w*\s+optimi\w*", "dpo"),
    (r"\bself[\s-]*instruct\b|\bselfie\s+strut\b", "selfinstruct"),
    (r"\b(?:genstruct|genestru[zt]?)\b", "genstruct"),
    (r"\bnous\s+research\b", "nousresearch"),
    (r"\b(?:jinja|yinya)\s*2\b", "jinja2"),
    (r"\b(?:awq|a\s+vdk)\b", "awq"),
    (r"\b(?:q\s*lora|polora|cool\s+hora)\b", "qlora"),
    (r"\bbits\s*and\s*b[iy]tes\b", "bitsandbytes"),
    (r"\b(?:weights\s*(?:and|&)\s*biases|wandb|(?:wacom|wegan|weidan)\s+bayasis?)\b", "wandb"),
    (r"\b(?:ampere|gamma\s+and\s+per)\b", "ampere"),
    (r"\bphilipp?\s+(?:schmid|smith)\b", "philippschmid"),
    (r"\bopen\s*hermes\b", "openhermes"),
    (r"\bauto\s*train\b", "autotrain"),
    (r"\b(?:toquenizador|tokenizador|tokenizer)(?:es|s)?\b", "tokenizer"),
    (r"\b(?:garbage\s+in,?\s+garbage\s+out|gerbichin,?\s+gerbichout)\b", "garbageinout"),
    (r"\bheuristic\w*", "heuristico"),
    (r"\balpac\s*a\s*val\b|\balpaca\s*eval\b", "alpacaeval"),
    (r"\bmt\s*ben(?:ch|z)\b", "mtbench"),
    (r"\b(?:attention|tension)\s+is\s+(?:all|what)\s+you\s+need\b", "attentionisallyouneed"),
    (r"\b(?:langchain|lang\s+chain)\b", "langchain"),
    (r"\b(?:llama\s*index|yamain)\b", "llamaindex"),
    (r"\bdeep\s*f(?:ace|akes?)\b", "deepfake"),
    (r"\bbig\s*sci(?:ence)?\b", "bigscience"),
    (r"\b(?:maisa|maesa|maesha)\b", "maisa"),
    (r"\b(?:ilenia|hilenia)\b", "ilenia"),
    (r"\bhuella\s+de\s+carbono\b", "huellacarbono"),
    (r"\blider\s*board\b", "leaderboard"),
    (r"\bultra\s*feedback\b", "ultrafeedback"),
    (r"\bdata\s*sets?\b", "dataset"),
    (r"\bdatasets\b", "dataset"),
    (r"\bfine[\s-]*tun\w*|\bfinetino\b", "finetuning"),
    (r"\binstructions?\b", "instruccion"),
    (r"\bultra\s*chat\b", "ultrachat"),
    (r"\b(?:phi|fi)[\s-]*(\d)\b", r"phi\1"),
    (r"\bmistral\s*(?:8x7b|moe)\b", "mixtral"),
    (r"\b(?:llms?|lms?|lnn|lnm)\b", "llm"),
    (r"\bsomos\s*600\s*(?:m|millones)\b", "somos600m"),
    (r"\bsomos\s*nlp\b", "somosnlp"),
    (r"\bnllp\b", "nlp"),
    (r"\bpeth\b", "peft"),
    (r"\bopen\s*bm[bv]\b", "openbmb"),
    (r"\bbflot\s*16\b", "bfloat16"),
    (r"\b(?:hack(?:at|ath)|jacat)(?:on|ones|ons|o)\b|\bhackazon\b", "hackathon"),
    (r"\bmi?n?sk(?:i|y|ie)\b", "minsky"),
    (r"\bopen\s*(?:ai|eye)\b", "openai"),
    (r"\bdeep\s*mind\b", "deepmind"),
    (r"\bopen\s*source\b", "opensource"),
    (r"\bcha[tgc]\s*(?:gpt|y\s*pt|ppt|que\s*pete)\b", "chatgpt"),
)
_QUESTION_RULES = tuple((re.compile(pattern), replacement) for pattern, replacement in _GLOSSARY)
_TRANSCRIPT_RULES = (
    *((re.compile(pattern), replacement) for pattern, replacement in _HEARD_AS_SPANISH),
    *_QUESTION_RULES,
)
# Changes whenever an entry does: a lexical index saved under other rules is rebuilt.
RULES_DIGEST = hashlib.sha256(repr((_HEARD_AS_SPANISH, _GLOSSARY)).encode()).hexdigest()[:12]


def fold(text: str) -> str:
    """Lower-case and strip accents ("Búsqueda" -> "busqueda")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """Fold a transcript's accents, then rewrite known mis-transcriptions to one spelling."""
    folded = fold(text)
    for pattern, replacement in _TRANSCRIPT_RULES:
        folded = pattern.sub(replacement, folded)
    return folded


def normalise_question(text: str) -> str:
    """Fold a question's accents and rewrite only spellings no Spanish word shares."""
    folded = fold(text)
    for pattern, replacement in _QUESTION_RULES:
        folded = pattern.sub(replacement, folded)
    return folded
