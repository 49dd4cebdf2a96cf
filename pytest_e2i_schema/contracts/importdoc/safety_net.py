"""The last line of defence: the finished contract is validated with the loader's own
checks, and whatever they would reject is left out with a problem.

The recognisers type-check everything they emit; this net catches what they let through
anyway, so that an imported contract always loads.
"""

from __future__ import annotations

from typing import Any

from .context import _Ctx, _p


def _contract_path_text(cpath: tuple) -> str:
    out = ""
    for part in cpath:
        out = _p(out, part) if out else (str(part) if isinstance(part, str) else f"[{part}]")
    return out


def _safety_net(ctx: _Ctx) -> None:
    """Last line of defence: validate the result with the contract loader's own checks
    (JSON Schema + semantic checks) and leave out -- with a problem naming the
    documentation path -- whatever the recognisers let through that the loader would
    reject, so that an imported contract always loads."""
    try:
        from pytest_e2i_schema.contracts.loader import _schema_problems, _semantic_problems
        from pytest_e2i_schema.contracts.model import Options
    except ImportError:  # pragma: no cover - the loader ships with this package
        return
    for _round in range(8):
        try:
            found = list(_schema_problems(ctx.contract)) + list(_semantic_problems(ctx.contract, Options()))
        except Exception:  # pragma: no cover - the loader's internals changed
            return
        if not found:
            return
        removals: list[tuple] = []
        for _line, cpath, message in found:
            cpath = tuple(cpath)
            if len(cpath) < 2:
                target = cpath  # a top-level key
            else:
                # leave out the offending leaf; on later rounds, when leaving out leaves
                # is not enough, the whole object
                target = cpath if _round < 4 else cpath[:2]
            doc_path = ctx.object_paths.get(tuple(cpath[:2]), "$") if len(cpath) >= 2 else "$"
            ctx.problem(doc_path, f"{message} (at {_contract_path_text(cpath)} of the contract); left out")
            removals.append(target)
        for target in sorted(set(removals), key=lambda t: (len(t), [(0, x, "") if isinstance(x, int) else (1, 0, str(x)) for x in t]),
                             reverse=True):
            _remove(ctx.contract, target)
        if "schema_version" not in ctx.contract:
            ctx.contract["schema_version"] = "unknown"


def _remove(node: Any, cpath: tuple) -> None:
    for part in cpath[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    try:
        del node[cpath[-1]]
    except (KeyError, IndexError, TypeError):
        pass
