import re

from bot import strings
from bot.rag.types import Answer, Passage, Source
from cogs.support.render import (
    STREAMING_CURSOR,
    preview,
    render_answer,
    split_message,
)

CITATION = re.compile(r"\[\d+\]")


def _answer(text: str, sources: list[Source] | None = None) -> Answer:
    return Answer(question="q", text=text, mode="llm", status="answered", sources=sources or [])


def _source(n: int) -> Source:
    return Source(
        title=f"Charla *{n}*",
        author=f"Ponente {n}",
        quote="",
        talk_id=f"t{n}",
        chunk_id=f"c{n}",
        score=1.0,
    )


def _fences_balanced(piece: str) -> bool:
    return len(re.findall(r"^```", piece, flags=re.MULTILINE)) % 2 == 0


def test_short_text_is_one_piece_and_unchanged():
    assert split_message("Hola [1].") == ["Hola [1]."]


def test_long_prose_splits_under_limit_without_breaking_citations():
    sentence = "Argilla sirve para anotar datos de calidad en español [12]. "
    text = sentence * 120
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(len(piece) <= 2000 for piece in pieces)
    assert sum(len(CITATION.findall(piece)) for piece in pieces) == 120
    for piece in pieces:
        assert not piece.lstrip().startswith("["), "a citation was cut away from its sentence"
        assert piece.count("[") == piece.count("]")
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_citation_never_split_even_without_spaces():
    text = "a" * 1985 + "[123]" + "b" * 100
    pieces = split_message(text)
    assert all(len(piece) <= 2000 for piece in pieces)
    assert any("[123]" in piece for piece in pieces)


def test_a_code_block_with_an_overlong_opening_line_still_splits_under_the_limit():
    # The opener is repeated at the top of each piece: a 2,500-character one used to loop forever.
    for opener in ("```" + "x" * 2500, "`" * 30 + "python"):
        text = opener + "\n" + "código " * 800 + "\n```\n\nFin [1]."
        pieces = split_message(text)
        assert len(pieces) > 1
        assert all(len(piece) <= 2000 for piece in pieces)
        assert "".join(pieces).count("código") == 800


def test_code_block_is_closed_and_reopened_with_its_language():
    code = "\n".join(f"print('línea {i}')" for i in range(200))
    text = "Ejemplo:\n\n```python\n" + code + "\n```\n\nFin [1]."
    pieces = split_message(text)
    assert len(pieces) > 1
    assert all(len(piece) <= 2000 for piece in pieces)
    assert all(_fences_balanced(piece) for piece in pieces)
    assert all(piece.startswith("```python") for piece in pieces[1:-1])
    joined_code = [
        line for piece in pieces for line in piece.splitlines() if line.startswith("print(")
    ]
    assert joined_code == code.splitlines()


def test_paragraph_break_preferred_over_a_full_window():
    first = "x " * 600
    text = first.strip() + "\n\n" + "y " * 900
    pieces = split_message(text)
    assert pieces[0] == first.strip()


def test_render_appends_numbered_sources_with_markdown_escaped():
    pieces = render_answer(_answer("Respuesta [1] y [2].", [_source(1), _source(2)]))
    assert pieces == [
        "Respuesta [1] y [2].\n\n"
        + strings.SOURCES_HEADER
        + "\n1. *Charla \\*1\\** — Ponente 1\n2. *Charla \\*2\\** — Ponente 2"
    ]


def test_render_neutralises_mass_mentions():
    (piece,) = render_answer(_answer("Hola @everyone y @here"))
    assert "@everyone" not in piece and "@here" not in piece


def test_long_answer_keeps_footer_lines_whole():
    sources = [_source(n) for n in range(1, 6)]
    pieces = render_answer(_answer("Texto largo [1]. " * 150, sources))
    assert all(len(piece) <= 2000 for piece in pieces)
    footer_lines = [line for piece in pieces for line in piece.splitlines() if "Ponente" in line]
    assert len(footer_lines) == 5


def test_preview_is_cut_to_one_message_and_marked_as_streaming():
    assert len(preview("a" * 5000)) == 2000
    assert preview("Hola").endswith(STREAMING_CURSOR)
    assert preview("a" * 5000).endswith("…" + STREAMING_CURSOR)


def _passage(n: int) -> Passage:
    return Passage(f"c{n}", f"t{n}", f"Charla {n}", f"Ponente {n}", 0, "texto", 0.9)


def test_notice_answer_and_sources_are_rendered_in_that_order():
    answer = _answer("Uno [1]", [_source(1)])
    answer.notice, answer.status = strings.PARTIAL_ANSWER_NOTE, "partial"
    (piece,) = render_answer(answer)
    assert piece.startswith(f"{strings.PARTIAL_ANSWER_NOTE}\n\nUno [1]\n\n{strings.SOURCES_HEADER}")
    assert strings.CONSULTED_HEADER not in piece


def test_an_uncited_answer_lists_the_talks_consulted_apart_from_sources():
    answer = _answer("Es buscar por significado.")
    answer.passages = [_passage(1), _passage(2), _passage(1)]
    (piece,) = render_answer(answer)
    assert strings.SOURCES_HEADER not in piece
    consulted = piece.split(f"\n\n{strings.CONSULTED_HEADER}\n", 1)[1]
    assert consulted.splitlines() == ["- *Charla 1* — Ponente 1", "- *Charla 2* — Ponente 2"]


def test_a_refusal_or_an_error_lists_no_talks_consulted():
    for status in ("refused", "error"):
        answer = _answer("No lo cubren las charlas.")
        answer.status, answer.passages = status, [_passage(1)]
        assert strings.CONSULTED_HEADER not in render_answer(answer)[0]


def test_a_notice_alone_is_shown_without_an_empty_answer():
    answer = _answer("")
    answer.notice = strings.CANCELLED
    assert render_answer(answer) == [strings.CANCELLED]
    assert render_answer(_answer("")) == [strings.UNEXPECTED_ERROR]
