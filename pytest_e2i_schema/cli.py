"""The ``e2i-schema`` command: the same machinery as the plugin, outside pytest.

    e2i-schema list                 migrations in the order they will be applied
    e2i-schema migrate              apply them to a fresh server and print the summary
    e2i-schema migrate --keep-going report every failing file, not just the first

Settings come from ``[tool.e2i_schema]`` exactly as for pytest (see :mod:`.config`);
flags override them.  Exit codes: 0 ok, 1 migrations failed, 2 usage or setup error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import ENGINES, load_settings
from .errors import E2IError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="e2i-schema", description="PostgreSQL schema contracts for SQL migration folders")
    p.add_argument("--rootdir", default=".", help="project directory (where pyproject.toml is)")
    sub = p.add_subparsers(dest="command", required=True)

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
    return p


def _settings(args: argparse.Namespace):
    overrides = {
        "migrations": args.migrations, "engine": args.engine, "prelude": args.prelude,
        "pg_bin": args.pg_bin, "dsn": args.dsn, "keep_going": getattr(args, "keep_going", None),
    }
    return load_settings(Path(args.rootdir), overrides)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
    except E2IError as exc:
        print(f"e2i-schema: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("e2i-schema: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
