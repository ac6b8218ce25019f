from __future__ import annotations

import pytest

from bot.rag.fusion import reciprocal_rank_fusion
from bot.rag.glossary import normalise, normalise_question
from bot.rag.lexical import LexicalIndex


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("subirlo a argila", "¿Qué es Argilla?"),
        ("el hub de javi and face", "Hugging Face"),
        ("el hub de havin face", "HuggingFace"),
        ("con distil label", "Distilabel"),
        ("el modelo cefir", "Zephyr"),
        ("fi 2 es pequeño", "Phi-2"),
        ("un data set", "datasets"),
        ("ultra feedback", "UltraFeedback"),
        ("la figura de Márgio Miskie", "Minsky"),
        ("como decía maro y minski", "Minsky"),
        ("del MLT", "MIT"),
        ("frameworks como vlm o llama cpp", "vLLM"),
        ("una leaderboard abierta de lms", "LLMs"),
        ("permitan los lnn", "LLM"),
        ("instalamos peth", "PEFT"),
        ("el grupo open bmv", "OpenBMB"),
        ("está en bflot16", "bfloat16"),
        ("el rank y el aura alpha", "LoRA"),
    ],
)
def test_whisper_spellings_and_written_names_meet(heard: str, written: str) -> None:
    canonical = normalise(written).strip("¿?").split()[-1]
    assert canonical in normalise(heard).split()


@pytest.mark.parametrize(
    ("question", "word", "heard_as"),
    [
        ("¿Le da envidia?", "envidia", "nvidia"),
        ("¿Es radiactivo el cesio?", "cesio", "seseo"),
        ("¿Qué gema es más dura?", "gema", "gemma"),
        ("¿Dónde vive el lama?", "lama", "llama"),
        ("¿Qué es un VLM?", "vlm", "vllm"),
        ("¿Qué es un contrato jurístico?", "juristico", "heuristico"),
    ],
)
def test_questions_keep_the_spanish_words_whisper_mistook(
    question: str, word: str, heard_as: str
) -> None:
    words = normalise_question(question).strip("¿?").split()
    assert word in words and heard_as not in words
    assert heard_as in normalise(question).strip("¿?").split()  # in a transcript: the term


def test_a_question_meets_the_transcripts_mishearing_of_its_term() -> None:
    index = LexicalIndex(["las gpus de envidia son caras", "el seseo se da en andalucia"])
    assert [row for row, _ in index.search("¿Qué GPUs vende Nvidia?", 2)] == [0]
    assert index.search("¿Me tienes envidia?", 2) == []


def test_bm25_finds_a_misspelled_name_and_ignores_stopwords() -> None:
    index = LexicalIndex(
        [
            "hoy vamos a ver cómo se despliega argila en un espacio",
            "el seseo se da en andalucía",
            "que de la el y en",
        ]
    )
    assert [row for row, _ in index.search("¿Cómo despliego Argilla?", 3)] == [0]
    assert index.search("¿Qué es lo que de?", 3) == []
    assert LexicalIndex([]).search("argilla", 3) == []


def test_rrf_rewards_agreement_and_respects_weights() -> None:
    fused = reciprocal_rank_fusion([(["a", "b", "c"], 1.0), (["b", "d"], 1.0)])
    assert [item for item, _ in fused] == ["b", "a", "d", "c"]
    weighted = reciprocal_rank_fusion([(["a"], 1.0), (["z"], 2.0)])
    assert [item for item, _ in weighted] == ["z", "a"]


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("os lo recomiendo de verdad", "¿Qué recomienda?"),
        ("yo entiendo el problema", "¿Cómo lo entienden ellos?"),
        ("podemos hacerlo mañana", "¿Quién puede?"),
        ("quiero explicarlo", "¿Qué queremos?"),
    ],
)
def test_a_speakers_verb_meets_the_askers_person_of_it(said: str, asked: str) -> None:
    index = LexicalIndex(["una frase sobre otra cosa", said])
    assert [row for row, _ in index.search(asked, 2)] == [1]
