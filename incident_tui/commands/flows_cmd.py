"""`incident-tui flows check|list|schema`."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("flows", help="check, list or describe the procedure files")
    parser.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
