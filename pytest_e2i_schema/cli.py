"""The ``e2i-schema`` command: the same machinery as the plugin, outside pytest.

    e2i-schema list                 migrations in the order they will be applied
    e2i-schema migrate              apply them to a fresh server and print the summary
    e2i-schema migrate --keep-going report every failing file, not just the first

Settings come from ``[tool.e2i_schema]`` exactly as for pytest (see :mod:`.config`);
flags override them.  Exit codes: 0 ok, 1 migrations failed, 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .config import ENGINES, load_settings
from .errors import ConfigError, E2IError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="e2i-schema", description="PostgreSQL schema contracts for SQL migration folders")
    p.add_argument("--rootdir", default=".", help="project directory (where pyproject.toml is)")
    sub = p.add_subparsers(dest="command", required=True)
    from .history_cli import register

    register(sub)  # history, diff

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--migrations", action="append", metavar="PATH", help="migration folder, glob or file (repeatable)")
        sp.add_argument("--engine", choices=ENGINES)
        sp.add_argument("--prelude", action="append", metavar="NAME|PATH")
        sp.add_argument("--pg-bin", metavar="DIR")
        sp.add_argument("--dsn")

    sp = sub.add_parser("list", help="list migrations in the order they will be applied")
    common(sp)
    sp = sub.add_parser("migrate", help="apply the migrations to a fresh database and print a summary")
    common(sp)
    sp.add_argument("--keep-going", action="store_const", const=True, help="report every failing file")
    sp = sub.add_parser("contract", help="write contracts: init (from the migrated database) or import-doc")
    csub = sp.add_subparsers(dest="contract_command", required=True)
    init = csub.add_parser("init", help="write a complete contract of the migrated database")
    common(init)
    init.add_argument("-o", "--output", default="contracts/schema.yaml", help="where to write (default contracts/schema.yaml)")
    init.add_argument("--schema-version", default="1", help="schema_version to record (default 1)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    imp = csub.add_parser("import-doc", help="convert a documentation JSON (seed-000 format) into a YAML contract")
    imp.add_argument("file", help="the documentation JSON")
    imp.add_argument("-o", "--output", required=True, help="the YAML contract to write")
    imp.add_argument("--force", action="store_true", help="overwrite an existing file")
    return p


def _settings(args: argparse.Namespace):
    overrides = {
        key: getattr(args, attr, None)
        for key, attr in (("migrations", "migrations"), ("engine", "engine"), ("prelude", "prelude"),
                          ("pg_bin", "pg_bin"), ("dsn", "dsn"), ("keep_going", "keep_going"))
    }
    return load_settings(Path(args.rootdir), overrides)


def _write(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{str(path)!r} exists; pass --force to overwrite it or choose another -o path")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _contract(args: argparse.Namespace, settings) -> int:
    if args.contract_command == "import-doc":
        from .contracts.importdoc import import_doc_to_yaml

        text, problems = import_doc_to_yaml(Path(args.file))
        for p in problems:
            print(f"e2i-schema: warning: {p}", file=sys.stderr)
        out = Path(args.output)
        _write(out, text, args.force)
        print(f"wrote {out} ({len(problems)} entr{'y' if len(problems) == 1 else 'ies'} not understood, listed above)")
        return 0
    from .contracts import dump_yaml, generate_contract
    from .session import E2ISession

    session = E2ISession(settings)
    try:
        tmpl = session.template()
        if not tmpl.ok:
            print(tmpl.run.report(), file=sys.stderr)
            return 1
        contract = generate_contract(session.catalog(tmpl), schema_version=args.schema_version,
                                     source=", ".join(settings.migrations) or "the migrations")
        out = Path(settings.rootdir) / args.output if not Path(args.output).is_absolute() else Path(args.output)
        _write(out, dump_yaml(contract), args.force)
        print(f"wrote {out}")
        return 0
    finally:
        session.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:  # output piped into `head`: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "handler", None) is not None:  # subcommands that handle their own errors
        return args.handler(args)
    try:
        settings = _settings(args)
        if args.command == "list":
            from .migrations import find_migrations

            for m in find_migrations(list(settings.migrations) or None, settings.rootdir):
                print(f"{m.version_label:>16}  {m.display}")
            return 0
        if args.command == "migrate":
            from .report import summary_lines
            from .session import E2ISession

            session = E2ISession(settings)
            try:
                tmpl = session.template()
                for line in summary_lines(session):
                    print(line)
                if not tmpl.ok:
                    print(tmpl.run.report(), file=sys.stderr)
                    return 1
                return 0
            finally:
                session.close()
        if args.command == "contract":
            return _contract(args, settings)
    except E2IError as exc:
        print(f"e2i-schema: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("e2i-schema: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
