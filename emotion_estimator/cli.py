# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ``emotion-estimator`` command: one entry point, one module per sub-command.

Each sub-command module provides ``add_arguments(parser)`` and ``run(args) -> int``. A command
imports only its own module, so ``fetch-models`` and ``analyze`` run without ROS installed; only
``demo`` (``emotion_estimator.ros.demo``) needs rclpy.
"""

import argparse
import importlib
import sys
from typing import Iterable, List, Optional

#: sub-command -> (module, one-line help)
SUBCOMMANDS = {
    'demo': ('emotion_estimator.ros.demo',
             'run the node on a bundled face photo (or a video / webcam) and print what it '
             'publishes'),
    'fetch-models': ('emotion_estimator.fetch_models',
                     'download the MediaPipe face model into the user cache (sha256-checked)'),
    'analyze': ('emotion_estimator.analysis.cli',
                'emotion timeline and report for a video, a folder of frames or a ROS 2 bag'),
    'analyze-corpus': ('emotion_estimator.analysis.corpus',
                       'analyze every recording under folders on Ray (resumable): one report '
                       'each, a corpus table and page'),
}


def build_parser(with_options: Iterable[str] = tuple(SUBCOMMANDS)) -> argparse.ArgumentParser:
    """Return the parser with every sub-command and the options of those in ``with_options``.

    Only the modules of ``with_options`` are imported (the others' options are left out).
    """
    parser = argparse.ArgumentParser(prog='emotion-estimator', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    with_options = set(with_options)
    for name, (module_name, summary) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(module=module_name)
        if name in with_options:
            importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the command line and run the chosen sub-command (importing only its module)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    chosen = [word for word in argv if word in SUBCOMMANDS][:1]
    args = build_parser(chosen).parse_args(argv)
    return int(importlib.import_module(args.module).run(args) or 0)


if __name__ == '__main__':
    sys.exit(main())
