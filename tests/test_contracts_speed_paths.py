"""The fast paths of contract loading and checking give what the slow paths give.

Why a file of its own: each shortcut (the JSON reader beside the YAML composer, the memos
of pure string functions, the expression comparisons that skip pglast's deparser) is only
allowed because it cannot change a value, a line number or a message.  These tests pin
that down by running both paths on the same input and comparing, types included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_e2i_schema.contracts import expressions, load_contract, loader, yamllines
from pytest_e2i_schema.contracts.importdoc import type_spelling
from pytest_e2i_schema.contracts.yamllines import DocumentSyntaxError, load_with_lines
from pytest_e2i_schema.errors import ContractError

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_YAML = [ROOT / "contracts" / "schema.yaml", ROOT / "contracts" / "traceability.yaml"]


def typed(value):
    """A comparable form that tells ``True`` from ``1`` and ``1.0`` from ``1`` and keeps key order."""
    if isinstance(value, dict):
        return ("map", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def yaml_path(text: str):
    """What ``load_with_lines(text, json=True)`` gave before the JSON reader existed."""
    try:
        data, lines = load_with_lines(text.replace("\t", " "))
    except DocumentSyntaxError as exc:
        return ("error", exc.line, exc.message)
    return ("ok", typed(data), lines)


def json_path(text: str):
    try:
        data, lines = load_with_lines(text, json=True)
    except DocumentSyntaxError as exc:
        return ("error", exc.line, exc.message)
    return ("ok", typed(data), lines)


def _documents() -> list[object]:
    docs: list[object] = [load_with_lines(p.read_text())[0] for p in REFERENCE_YAML]
    docs += [
        {"a": [1, -2, 0, -0, 3.5, -0.0, 10.25, True, False, None, "", " x ", "on", "no", "1", "~", "<<"]},
        {"é": "ü", "emoji": "😀", "esc": "q\"b\\s/\b\f\n\r\t\u0001\u00e9", "nbsp": "a\u00a0b"},
        {"nested": {"deeper": {"list": [[], {}, [[1]], {"k": {}}]}}, "big": 123456789012345678901234567890},
        {"k" * 200: 1, "=": 2, "# not a comment": "- not a list", "a: b": "{not: flow}"},
        [1, "two", {"three": [3]}],
        "just a string",
        17,
        None,
    ]
    return docs


LAYOUTS = [
    {},
    {"indent": 2},
    {"indent": 0},
    {"indent": "\t"},
    {"separators": (",", ":")},
    {"indent": 1, "ensure_ascii": False},
]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda kw: ",".join(f"{k}={v!r}" for k, v in kw.items()) or "default")
def test_json_reader_gives_the_yaml_paths_data_and_lines(layout):
    for doc in _documents():
        text = json.dumps(doc, **layout)
        if "\\ud83d" not in text:  # ensure_ascii writes the emoji as a surrogate pair: YAML path
            assert yamllines._load_json(text) is not None, text[:80]  # the fast path is taken ...
        assert json_path(text) == yaml_path(text)  # ... and changes nothing


def test_json_reader_lines_with_blank_lines_and_odd_spacing():
    text = '\n\n{ "a" :\n\n  [ 1 ,\n 2\n ,\n\t"x"\n ] ,"b":{"c"  :  null}\n\n,\n"d": "\\u00e9\\"q"  }\n\n'
    fast = yamllines._load_json(text)
    assert fast is not None
    data, lines = fast
    assert data == {"a": [1, 2, "x"], "b": {"c": None}, "d": 'é"q'}
    assert lines == {(): 1, ("a",): 3, ("a", 0): 5, ("a", 1): 6, ("a", 2): 8, ("b",): 9, ("b", "c"): 9, ("d",): 12}
    assert json_path(text) == yaml_path(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"n": 1e5}',  # YAML 1.1 keeps it the string "1e5"
        '{"n": 1.5E+3}',
        '{"n": NaN}',
        '{"s": "\\ud83d\\ude00"}',  # libyaml refuses surrogate escapes
        '{"s": "a\x7fb"}',  # a character YAML refuses
        '{"s": "a\u2028b"}',  # a line break for YAML
        '{"a": 1,\r\n "b": 2}',
        "\ufeff{}",
        '{"s": "a\tb"}',  # a raw tab: invalid JSON, the YAML path reads it as a blank
        '{"a": 1,\n "a": 2}',
        '{"a"\n : 1}',  # YAML's simple keys end with the line
        '{"' + "k" * 1100 + '": 1}',
        '{"a": 1,}',
        '{"a": [1, 2,]}',
        "{a: 1}",
        "",
        "   ",
        '{"a": 1} x',
        '{"a": 01}',
        '{"a": tru}',
        '{"a": [1 2]}',
        '{"a": 1]',
    ],
)
def test_json_reader_leaves_everything_doubtful_to_the_yaml_path(text):
    assert yamllines._load_json(text) is None
    assert json_path(text) == yaml_path(text)


def test_json_duplicate_key_message_is_the_yaml_one():
    with pytest.raises(DocumentSyntaxError) as info:
        load_with_lines('{\n "a": 1,\n "b": 2,\n "a": 3\n}', json=True)
    assert (info.value.line, info.value.message) == (4, "duplicate key 'a' (first given on line 2)")


def _contract_result(path: Path, root: Path):
    try:
        cf = load_contract(path, root)
    except ContractError as exc:
        return ("error", exc.problems)
    return ("ok", [(e.kind, e.key, e.line, e.name, typed(e.spec)) for e in cf.entries], typed(cf.data))


@pytest.mark.parametrize("layout", [{"indent": 2}, {"indent": "\t"}, {}])
def test_json_contracts_load_alike_on_both_paths(tmp_path, monkeypatch, layout):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    good = load_with_lines(REFERENCE_YAML[1].read_text())[0]
    bad = json.loads(json.dumps(good))
    table = next(iter(bad["tables"]))
    bad["tables"][table]["columns"] = {"a": "enum[foo", "b": {"type": "text", "nulable": True}}
    bad["tables"]["not a name!"] = {}
    bad["functions"] = {"f((": {}, "g(p integer DEFAULT)": {}}
    folder = tmp_path / "contracts"
    folder.mkdir()
    for name, doc in (("good.json", good), ("bad.json", bad)):
        path = folder / name
        path.write_text(json.dumps(doc, **layout))
        fast = _contract_result(path, tmp_path)
        with monkeypatch.context() as m:
            m.setattr(yamllines, "_load_json", lambda text: None)
            slow = _contract_result(path, tmp_path)
        assert fast == slow
        assert fast[0] == ("ok" if name == "good.json" else "error")


# -- the YAML builder ---------------------------------------------------------------------------
MERGES = [
    (
        "base: &b {x: 1, y: [1, 2]}\nt:\n  <<: *b\n  z: 3\n",
        {"x": 1, "y": [1, 2], "z": 3},
        {("t",): 2, ("t", "x"): 1, ("t", "y"): 1, ("t", "y", 0): 1, ("t", "y", 1): 1, ("t", "z"): 4},
    ),
    (
        "a: &a {p: 1}\nb: &b {q: 2}\nt:\n  k: 0\n  <<: [*a, *b]\n",
        {"q": 2, "p": 1, "k": 0},
        {("t",): 3, ("t", "q"): 2, ("t", "p"): 1, ("t", "k"): 4},
    ),
    ("b: &b {a: 0}\nt:\n  !!merge x: *b\n", {"a": 0}, {("t",): 2, ("t", "a"): 1}),
    # merge tags whose text never says "merge": a %TAG handle and a %-escaped tag URI
    ("%TAG !e! tag:yaml.org,2002:me\n---\nb: &b {a: 0}\nt:\n  !e!rge : *b\n", {"a": 0}, {("t",): 4, ("t", "a"): 3}),
    ("b: &b {a: 0}\nt:\n  !<tag:yaml.org,2002:%6Derge> : *b\n", {"a": 0}, {("t",): 2, ("t", "a"): 1}),
]


@pytest.mark.parametrize("text, merged, lines_of_t", MERGES)
def test_yaml_merge_keys_still_resolve(text, merged, lines_of_t):
    data, lines = load_with_lines(text)
    assert list(data["t"].items()) == list(merged.items())
    assert {k: v for k, v in lines.items() if k[:1] == ("t",)} == lines_of_t


def test_yaml_merge_errors_come_before_errors_in_earlier_keys():
    """``flatten_mapping`` runs before a mapping's values are built, as it always did."""
    with pytest.raises(DocumentSyntaxError) as info:
        load_with_lines("b: &b {a: 0}\nt:\n  a: 1\n  a: 2\n  <<: *b\n")
    assert (info.value.line, info.value.message) == (3, "duplicate key 'a' (first given on line 1)")
    with pytest.raises(DocumentSyntaxError, match="expected a mapping or list of mappings for merging"):
        load_with_lines("t:\n  x: !foo 1\n  <<: 5\n")


def test_yaml_equals_key_read_again_through_an_alias_is_a_string():
    """``flatten_mapping`` retags a plain ``=`` key as a string; an alias of that node sees it."""
    data, lines = load_with_lines("a: {&x = : 1}\nb: *x\n")
    assert data == {"a": {"=": 1}, "b": "="} and lines[("b",)] == 2
    with pytest.raises(DocumentSyntaxError, match="could not determine a constructor"):
        load_with_lines("b: =\n")  # a plain ``=`` value was never a string


def test_yaml_scalars_keep_their_tags():
    data, _ = load_with_lines("a: [!!str 5, !!int '7', ~, 0x1f, 1.5, yes, 2025-01-01, 'x', true]\n")
    assert typed(data["a"]) == typed(["5", 7, None, 31, 1.5, "yes", "2025-01-01", "x", True])
    with pytest.raises(DocumentSyntaxError, match="could not determine a constructor for the tag '!foo'"):
        load_with_lines("t: !foo x\n")


# -- memoised string functions --------------------------------------------------------------------
ARGUMENTS = [
    "p integer DEFAULT 10",
    "IN p integer = 5",
    "p text default 'a=b'",
    "p  int   default   5",
    "out x text",
    "variadic v int[]",
    "integer",
    "x numeric(10, 2) DEFAULT (1 = 1)",
    '"Q" int',
    "p int == 3",
    "p text DEFAULT 'x' || 'default y'",
    "a b c",
    "p integer DEFAULT",
    "",
]


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - the exception is the result here
        return ("error", type(exc).__name__, str(exc))


@pytest.mark.parametrize("text", ARGUMENTS)
def test_parse_argument_memo_returns_what_the_parser_returns(text):
    loader._memo_argument.cache_clear()
    first = _outcome(loader.parse_argument, text)
    again = _outcome(loader.parse_argument, text)
    assert first == again == _outcome(loader._parse_argument, text)


def test_parse_argument_memo_hands_out_fresh_dicts():
    a = loader.parse_argument("p integer DEFAULT 10")
    a["text"] = "changed by a caller"
    b = loader.parse_argument("p integer DEFAULT 10")
    assert b == {"mode": None, "name": "p", "type": "integer", "default": "10"}


def test_split_default_only_looks_for_default_at_blanks():
    assert loader._split_default("p int default 5") == ("p int", "5")
    assert loader._split_default("p int = 5") == ("p int", "5")
    assert loader._split_default("p int >= 3") == ("p int >", "3")  # as it always split
    assert loader._split_default("p text DEFAULT 'a default b'") == ("p text", "'a default b'")
    assert loader._split_default("p int == 3") == ("p int == 3", None)
    assert loader._split_default("f(a DEFAULT 1) DEFAULT 2") == ("f(a DEFAULT 1)", "2")


SIGNATURES = ["f", "f()", "s.f(int, text)", '"F"(int)', "f(p int DEFAULT 1, q text)", "f((", "", "a.b.c(int)"]


@pytest.mark.parametrize("text", SIGNATURES)
@pytest.mark.parametrize("schema", ["public", "app"])
def test_parse_signature_memo_returns_what_the_parser_returns(text, schema):
    loader._memo_signature.cache_clear()
    first = _outcome(loader.parse_signature, text, schema)
    assert first == _outcome(loader.parse_signature, text, schema) == _outcome(loader._parse_signature, text, schema)


def test_normalize_type_memo_keeps_errors_and_results():
    assert type_spelling.normalize_type("UUID") == type_spelling.normalize_type("uuid") == "uuid"
    for _ in range(2):  # errors are not remembered: raised every time
        with pytest.raises(type_spelling.TypeSpellingError, match="a type string expected"):
            type_spelling.normalize_type(["uuid"])
        with pytest.raises(type_spelling.TypeSpellingError):
            type_spelling.normalize_type("int64")


# -- expressions ------------------------------------------------------------------------------------
EXPRESSIONS = [
    "now()",
    "now( )",
    "(now())",
    "gen_random_uuid()",
    "extensions.uuid_generate_v4()",
    "uuid_generate_v4()",
    "'agent'::character varying",
    "'agent'",
    "'x'::text",
    "0",
    "(0)::numeric",
    "'-1'",
    "-1",
    "((confidence >= (0)::numeric) AND (confidence <= (1)::numeric))",
    "confidence >= 0 AND confidence <= 1",
    "confidence BETWEEN 0 AND 1",
    "(status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])",
    "status IN ('a', 'b')",
    "(user_id = ( SELECT auth.uid() AS uid))",
    "user_id = (select auth.uid())",
    "'medium'::public.memory_importance",
    "'medium'::memory_importance",
    "Foo  Bar(",
    "foo bar(",
    "~5",
    "true",
    "'A'",
    "'a'",
    "upper(name) = 'X'",
    "upper(name) = 'x'",
]


def test_same_expression_shortcuts_agree_with_normal_forms():
    for a in EXPRESSIONS:
        for b in EXPRESSIONS:
            expected = expressions.normalize_expression(a) == expressions.normalize_expression(b)
            assert expressions.same_expression(a, b) is expected, (a, b)
            assert expressions.same_expression(f"  {a} ", b) is expected, (a, b)


def test_normal_tree_keys_imply_equal_normal_forms():
    keys: dict[str, str] = {}
    for text in EXPRESSIONS:
        key, _ = expressions._normal_tree(text, "public")
        form = expressions.normalize_expression(text)
        assert keys.setdefault(key, form) == form, text
    assert expressions.same_expression(0, "(0)::numeric") and expressions.same_expression(True, "true")
    assert not expressions.same_expression(False, "true") and not expressions.same_expression("x", None)
