"""Schema descriptions kept out of datamodel-code-generator's input, and put back after.

Editing a description is the most common change to a spec, and it changes no type: only
a docstring. So the models document datamodel-code-generator sees holds a *token* in
place of each description (:func:`take_out`), a name made from where the description
stands, never from its text. A description edit then leaves every part's document, and
so every remembered part (:mod:`generator.models`), as it was; :func:`put_back` writes
the descriptions into the generated text, each docstring exactly as the library would
have written it (:func:`docstring`, equal to its ``format_docstring``; with the
indentation the token had).

Equal descriptions share one token, named after the first place (in document order)
the text stands: the library makes one class of schemas that are equal, and must still
see them equal. An edit that makes a description equal to another, or no longer equal,
changes tokens, and the parts holding them are generated again, as they must be.

A cold run takes the same path, so what an edit regenerates is byte-identical to a cold
run by construction; a test also compares the result with the library run on the
descriptions themselves. Should a token ever come out anywhere but alone in a docstring
(a place this module does not know), :func:`put_back` says so and the caller generates
from the real descriptions instead.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from generator.diagnostics import escape_pointer
from generator.model_source import ClassSource, ModelClass, ModelSource
from generator.schemas import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_SINGLE

__all__ = ["Descriptions", "docstring", "field_description", "put_back", "take_out"]

#: what a token looks like: letters and digits the library copies as they are
_TOKEN = re.compile(r"clientgenD[0-9a-f]{20}Z")
#: a docstring holding nothing but a token, on its own line, as the library writes it
_DOCSTRING = re.compile(
    r'(?P<indent>[ ]*)"""\n(?P=indent)(?P<token>clientgenD[0-9a-f]{20}Z)\n(?P=indent)"""'
)

#: how deep a field's docstring is indented (every class is at the top of its module)
_FIELD_INDENT = 4


@dataclass(frozen=True)
class Descriptions:
    """The descriptions taken out of a models document, by token."""

    texts: Mapping[str, str]


def docstring(text: str, indent: int) -> str:
    """The docstring datamodel-code-generator 0.89 writes for ``text`` at ``indent`` spaces
    (its ``format_docstring``; a test holds the two equal): backslashes, triple quotes and
    NUL escaped, every non-empty line indented, the quotes on lines of their own. ``""``
    for a blank text, which gets no docstring. Written here so that neither this process
    nor a run whose models are all remembered imports the library for it."""
    if not text.strip():
        return ""
    escaped = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\0", "\\x00")
    return f'"""{_indented(escaped, indent)}"""'


def take_out(document: dict[str, Any]) -> tuple[dict[str, Any], Descriptions]:
    """A copy of the models ``document`` with each schema description a token, and the texts.

    Only descriptions the library would write as a docstring are taken (a blank one writes
    nothing, and stays); containers are copied only where something was taken.
    """
    texts: dict[str, str] = {}
    components = document.get("components")
    if not isinstance(components, dict):
        return document, Descriptions(texts)
    schemas = components.get("schemas")
    if not isinstance(schemas, dict):
        return document, Descriptions(texts)

    named: dict[str, str] = {}  # text -> its token

    def token(pointer: str) -> str:
        return f"clientgenD{hashlib.sha256(pointer.encode()).hexdigest()[:20]}Z"

    def walk(schema: Any, pointer: str) -> Any:
        if not isinstance(schema, dict):
            return schema
        changed: dict[str, Any] = {}
        text = schema.get("description")
        if isinstance(text, str) and text.strip():
            name = named.get(text)
            if name is None:  # the first place the text stands names it
                name = named[text] = token(pointer)
                texts[name] = text
            changed["description"] = name
        for key in SCHEMA_MAPS:
            value = schema.get(key)
            if isinstance(value, dict):
                found = {
                    n: walk(v, f"{pointer}/{key}/{escape_pointer(n)}") for n, v in value.items()
                }
                if any(found[n] is not value[n] for n in value):
                    changed[key] = found
        for key in (*SCHEMA_LISTS, *SCHEMA_SINGLE):
            value = schema.get(key)
            if isinstance(value, dict):
                new = walk(value, f"{pointer}/{key}")
                if new is not value:
                    changed[key] = new
            elif isinstance(value, list):  # allOf, ...; items in its draft 4 tuple form
                items = [walk(item, f"{pointer}/{key}/{i}") for i, item in enumerate(value)]
                if any(a is not b for a, b in zip(items, value, strict=True)):
                    changed[key] = items
        return {**schema, **changed} if changed else schema

    walked = {name: walk(value, f"/{escape_pointer(name)}") for name, value in schemas.items()}
    if not texts:
        return document, Descriptions(texts)
    return (
        {**document, "components": {**components, "schemas": walked}},
        Descriptions(texts),
    )


def field_description(text: str) -> str:
    """What :func:`generator.model_source.analyse` reads from the docstring
    :func:`docstring` writes for ``text`` under a field: the string's value, stripped."""
    if "\r" in text:  # the literal reads line ends as Python does: let Python read it
        return str(ast.literal_eval(docstring(text, _FIELD_INDENT))).strip()
    return _indented(text, _FIELD_INDENT).strip()  # the docstring's escapes undone


def _indented(text: str, indent: int) -> str:
    """A docstring's body: ``text`` on lines of its own, each non-empty line indented."""
    margin = " " * indent
    lines = "\n".join(f"{margin}{line}" if line else "" for line in text.split("\n"))
    return f"\n{lines}\n{margin}"


def put_back(module: ModelSource, descriptions: Descriptions) -> ModelSource | None:
    """``module`` with every token replaced by its description; ``None`` when a token
    stands where :func:`put_back` does not know how the library would write the text."""
    if not descriptions.texts:
        return module
    texts = descriptions.texts
    written: dict[tuple[str, int], str] = {}

    def described(match: re.Match[str]) -> str:
        indent, name = match["indent"], match["token"]
        text = texts.get(name)
        if text is None:
            return match[0]  # not one of ours: left, and refused below
        key = (name, len(indent))
        if key not in written:
            written[key] = docstring(text, len(indent))
        return indent + written[key]

    def read(name: str) -> str | None:
        """A field's description as :func:`generator.model_source.analyse` reads it from
        the docstring under the field (in a class body): the string's text, stripped."""
        text = texts.get(name)
        return None if text is None else field_description(text)

    def fill(text: str) -> str | None:
        if "clientgenD" not in text:
            return text
        filled = _DOCSTRING.sub(described, text)
        return None if _TOKEN.search(filled) else filled

    source = fill(module.source)
    if source is None:
        return None
    classes: list[ClassSource] = []
    for cls in module.classes:
        text = fill(cls.text)
        after = [fill(statement) for statement in cls.after]
        if text is None or any(a is None for a in after):
            return None
        model = _described(cls.model, read)
        if model is None:
            return None
        classes.append(
            replace(cls, text=text, after=tuple(a for a in after if a is not None), model=model)
        )
    return replace(module, source=source, classes=tuple(classes))


def _described(model: ModelClass, read: Callable[[str], str | None]) -> ModelClass | None:
    """``model`` with each field description that is a token replaced by its text."""
    if not any(_TOKEN.search(f.description) for f in model.fields):
        return model
    fields = []
    for item in model.fields:
        if _TOKEN.search(item.description):
            text = read(item.description)
            if text is None:
                return None
            item = replace(item, description=text)
        fields.append(item)
    return replace(model, fields=tuple(fields))
