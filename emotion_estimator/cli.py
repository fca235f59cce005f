# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The ``emotion-estimator`` command: one entry point, one module per sub-command.

Each sub-command module provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

import argparse
import importlib
import sys
from typing import List, Optional

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


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every sub-command's arguments."""
    parser = argparse.ArgumentParser(prog='emotion-estimator', description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest='command', required=True)
    for name, (module_name, summary) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(module=module_name)
        importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Parse the command line and run the chosen sub-command."""
    args = build_parser().parse_args(argv)
    return int(importlib.import_module(args.module).run(args) or 0)


if __name__ == '__main__':
    sys.exit(main())
