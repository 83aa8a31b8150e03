"""The models package: one module per group of mutually dependent classes, loaded lazily."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from generator.config import ClientConfig
from generator.graph import strongly_connected
from generator.models import (
    LazyModel,
    ModelsImport,
    ModelsModule,
    ModelsModuleView,
    package_view,
)
from generator.pipeline import generate_client
from generator.render import package_files
from tests.conftest import CHAT_SPEC

SOURCE = """# header
from __future__ import annotations

from pkg._models import BaseModel


class Leaf(BaseModel):
    name: str | None = None


class Tree(BaseModel):
    children: list[Tree] | None = None
    leaf: Leaf | None = None


class Ping(BaseModel):
    pong: Pong | None = None


class Pong(BaseModel):
    ping: Ping | None = None
    tree: "Tree | None" = None
"""


def test_cycles_share_a_module_and_dependencies_come_first() -> None:
    deps = {"Leaf": set(), "Tree": {"Leaf"}, "Ping": {"Pong"}, "Pong": {"Ping", "Tree"}}
    groups = strongly_connected(list(deps), deps)
    assert groups == [["Leaf"], ["Tree"], ["Ping", "Pong"]]


def test_package_files_split_and_import_what_they_use() -> None:
    files = package_files(ModelsModule(source=SOURCE), "# header")
    assert sorted(files) == ["__init__", "_leaf", "_ping", "_tree"]
    assert "from ._leaf import Leaf" in files["_tree"]
    assert "from ._tree import Tree" in files["_ping"]
    assert "class Ping" in files["_ping"] and "class Pong" in files["_ping"]
    assert '"Pong": "_ping"' in files["__init__"]
    assert all(text.startswith("# header\n") for text in files.values())


def test_package_view_groups_names_and_imports() -> None:
    view = package_view(ModelsModule(source=SOURCE))
    assert view is not None
    assert [m.name for m in view.modules] == ["_leaf", "_tree", "_ping"]
    leaf, tree, ping = view.modules
    assert leaf.siblings == ()
    assert tree.siblings == (ModelsImport("_leaf", ("Leaf",)),)
    assert ping.siblings == (ModelsImport("_tree", ("Tree",)),)
    assert ping.exports == ('"Ping"', '"Pong"')
    assert [text.split("(")[0] for text in ping.classes] == ["class Ping", "class Pong"]
    assert ping.imports == ("from pkg._models import BaseModel", "", "from ._tree import Tree")
    assert leaf.imports == ("from pkg._models import BaseModel",)
    assert not any(m.class_var for m in view.modules)
    assert view.lazy[0] == LazyModel("Leaf", "_leaf", '"Leaf"', '"_leaf"')
    assert [m.name for m in view.lazy] == ["Leaf", "Ping", "Pong", "Tree"]
    assert isinstance(leaf, ModelsModuleView)


def test_package_view_declines_other_code_and_keeps_module_names_unique() -> None:
    assert package_view(ModelsModule(source=SOURCE + "\nif Leaf:\n    pass\n")) is None
    source = SOURCE.replace("class Ping(", "class Init(").replace("ping: Ping", "ping: Init")
    source += "\n\nclass init(BaseModel):\n    x: int | None = None\n"
    view = package_view(ModelsModule(source=source))
    assert view is not None
    names = [m.name for m in view.modules]
    assert len(names) == len(set(names)) and "__init__" not in names


def test_other_top_level_code_keeps_one_module() -> None:
    source = SOURCE + "\nprint(Leaf)\n"
    assert package_files(ModelsModule(source=source), "# h") == {"__init__": source}


#: what datamodel-code-generator writes for recursive schemas and constrained map values
MIXED = (
    SOURCE.replace(
        "from pkg._models import BaseModel",
        "from typing import Annotated\n\nfrom pkg._models import BaseModel\n"
        "from pydantic import Field\nfrom typing_extensions import TypeAliasType",
    )
    + """

Label = TypeAliasType("Label", Annotated[str, Field(max_length=5)])
Labels = list[Label]


class Node(BaseModel):
    labels: Labels | None = None
    next: Later | None = None
    leaf: Leaf | None = None


class Later(BaseModel):
    node: Node | None = None
    tags: dict[str, Label] | None = None


class Solo(BaseModel):
    later: Later | None = None


Node.model_rebuild()
Later.model_rebuild()
Solo.model_rebuild()
"""
)


def test_aliases_and_rebuild_calls_are_split_too() -> None:
    view = package_view(ModelsModule(source=MIXED))
    assert view is not None
    by_name = {m.name: m for m in view.modules}
    assert sorted(by_name) == ["_label", "_labels", "_leaf", "_node", "_ping", "_solo", "_tree"]
    node = by_name["_node"]
    assert node.exports == ('"Later"', '"Node"')
    assert node.after == ("Node.model_rebuild()", "Later.model_rebuild()")
    assert node.siblings == (
        ModelsImport("_label", ("Label",)),
        ModelsImport("_labels", ("Labels",)),
        ModelsImport("_leaf", ("Leaf",)),
    )
    assert by_name["_labels"].siblings == (ModelsImport("_label", ("Label",)),)
    assert by_name["_solo"].siblings == (ModelsImport("_node", ("Later",)),)
    assert by_name["_solo"].after == ("Solo.model_rebuild()",)
    assert [m.name for m in view.lazy] == [
        "Label",
        "Labels",
        "Later",
        "Leaf",
        "Node",
        "Ping",
        "Pong",
        "Solo",
        "Tree",
    ]


def test_split_package_of_aliases_and_rebuilds_runs(tmp_path: Path) -> None:
    """Every name resolves lazily from its own module; a constrained alias still validates."""
    package = tmp_path / "pkg"
    (package / "models").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "_models.py").write_text("from pydantic import BaseModel as BaseModel\n")
    for name, text in package_files(ModelsModule(source=MIXED), "# h").items():
        (package / "models" / f"{name}.py").write_text(text)
    script = (
        "import sys\n"
        "import pkg.models as m\n"
        "loaded = lambda: sorted(k for k in sys.modules if k.startswith('pkg.models._'))\n"
        "print(loaded())\n"
        "s = m.Solo.model_validate({'later': {'node': {'labels': ['ab'], 'leaf': {}}}})\n"
        "print(s.later.node.labels)\n"
        "print(loaded())\n"
        "try:\n    m.Later.model_validate({'tags': {'a': 'toolong'}})\n"
        "except Exception as e:\n    print(type(e).__name__)\n"
        "print(all(getattr(m, n) is not None for n in m.__all__))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[]"
    assert lines[1] == "['ab']"
    assert lines[2] == str(
        [f"pkg.models._{n}" for n in ("label", "labels", "leaf", "node", "solo")]
    )
    assert lines[3:] == ["ValidationError", "True"]


def _run_with_chat_package(tmp_path: Path, script: str) -> list[str]:
    """Generate the chat spec as package ``lazy_chat``; run ``script`` beside it; its lines."""
    out = tmp_path / "out"
    generate_client(ClientConfig(CHAT_SPEC, "lazy_chat", out))
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=out / "src", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_generated_models_load_lazily_and_validate(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import lazy_chat.models as m\n"
        "assert not any(k.startswith('lazy_chat.models._') for k in sys.modules)\n"
        "r = m.AddParticipantResponse.model_validate({'data': {'participants': [{'addedAt': '2024-01-15T11:00:00Z'}]}})\n"
        "print(r.data.participants[0].added_at.year)\n"
        "print(sorted(k for k in sys.modules if k.startswith('lazy_chat.models._')))\n"
        "assert 'Chatroom' in dir(m)\n"
        "try:\n    m.Nope\nexcept AttributeError as e:\n    print('AttributeError', e)\n"
    )
    lines = _run_with_chat_package(tmp_path, script)
    assert lines[0] == "2024"
    assert "_chatroom" not in lines[1]  # only what AddParticipantResponse needs was imported
    assert "_participant_entry" in lines[1]
    assert lines[2].startswith("AttributeError")


def test_resources_import_models_only_when_a_method_runs(tmp_path: Path) -> None:
    """Importing a resource loads no model; a call loads what it sends and receives."""
    script = (
        "import sys, httpx\n"
        "import lazy_chat\n"
        "from lazy_chat.resources import mudbase\n"
        "loaded = lambda: sorted(k for k in sys.modules if k.startswith('lazy_chat.models._'))\n"
        "print(loaded())\n"
        "body = {'data': {'participants': [{'addedAt': '2024-01-15T11:00:00Z'}]}}\n"
        "replies = [httpx.Response(200, json=body), httpx.Response(400, json={'message': 'no'})]\n"
        "def reply(request):\n"
        "    return replies.pop(0)\n"
        "client = lazy_chat.LazyChatClient(mudbase_jwt='t', base_url='http://test',\n"
        "    http_client=httpx.Client(transport=httpx.MockTransport(reply)))\n"
        "result = client.mudbase.add_participant(project_id='p', chat_id='c', user_id='u')\n"
        "print(type(result).__name__, result.data.participants[0].added_at.year)\n"
        "print(loaded())\n"
        "try:\n"
        "    client.mudbase.add_participant(project_id='p', chat_id='c', user_id='u')\n"
        "except lazy_chat.BadRequestError as error:\n"
        "    print(type(error.body).__name__)\n"
    )
    lines = _run_with_chat_package(tmp_path, script)
    assert lines[0] == "[]"
    assert lines[1] == "AddParticipantResponse 2024"
    assert "_add_participant_request" in lines[2] and "_mudbase_error" not in lines[2]
    assert lines[3] == "MudbaseError"


CONSTRAINED_MAP = Path(__file__).parent / "specs_generate" / "constrained-map.openapi.yaml"


def test_constrained_map_values_generate_and_validate(tmp_path: Path) -> None:
    """``additionalProperties: {type: string, maxLength: 512}`` in a request body (issue 13):
    the alias the models define gets its own module, the method takes ``Mapping[str, str]``
    and the model still checks the constraint."""
    out = tmp_path / "out"
    generate_client(ClientConfig(CONSTRAINED_MAP, "map_client", out))
    models = out / "src" / "map_client" / "models"
    alias_module = (models / "_metadata_additional_property.py").read_text()
    assert "MetadataAdditionalProperty = TypeAliasType(" in alias_module
    resource = (out / "src" / "map_client" / "resources" / "things.py").read_text()
    assert "metadata: Mapping[str, str] | NotGiven = NOT_GIVEN" in resource
    script = (
        "import httpx, map_client\n"
        "sent = []\n"
        "def reply(request):\n"
        "    sent.append(request.content.decode())\n"
        "    return httpx.Response(200, json={'metadata': {'a': 'b'}})\n"
        "client = map_client.MapClient(base_url='http://t',\n"
        "    http_client=httpx.Client(transport=httpx.MockTransport(reply)))\n"
        "print(client.things.create_thing(metadata={'a': 'b'}).metadata)\n"
        "print(sent[0])\n"
        "try:\n    client.things.create_thing(metadata={'a': 'x' * 513})\n"
        "except map_client.RequestValidationError as error:\n    print(type(error).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=out / "src", capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "{'a': 'b'}",
        '{"metadata":{"a":"b"}}',
        "RequestValidationError",
    ]


def test_no_schemas_stay_one_module() -> None:
    source = '# h\n"""No schemas are defined in this API."""\n\n__all__: list[str] = []\n'
    assert package_files(ModelsModule(source=source), "# h") == {"__init__": source}
