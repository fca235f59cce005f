# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""Choose the Fast DDS profile that lets large best-effort camera images reach the node.

No ROS import: the choice is made from the environment before ``rclpy.init`` creates the DDS
participant. The packaged ``config/fastdds_large_images.xml`` (what it fixes, measured, is in
its comments) goes into the variable the Fast DDS found reads: ``FASTDDS_DEFAULT_PROFILES_FILE``
for Fast DDS 3 (Kilted), ``FASTRTPS_DEFAULT_PROFILES_FILE`` for 2.x (Jazzy).
"""

from dataclasses import dataclass
import os
from pathlib import Path
import sys
from typing import Iterable, Mapping, MutableMapping, Optional, Tuple

from emotion_estimator.contract import package_share_dir

#: Environment variables through which a user names their own Fast DDS XML profile.
PROFILE_ENV = 'FASTDDS_DEFAULT_PROFILES_FILE'
LEGACY_PROFILE_ENV = 'FASTRTPS_DEFAULT_PROFILES_FILE'
#: Fast DDS 3 (ROS 2 Kilted) reads the first, Fast DDS 2 (Humble, Jazzy) only the second.
PROFILE_ENVS = (PROFILE_ENV, LEGACY_PROFILE_ENV)
#: The Fast DDS major version of the ROS 2 distributions a system ROS names in ``ROS_DISTRO``.
FAST_DDS_MAJOR_BY_DISTRO = {'humble': 2, 'iron': 2, 'jazzy': 2, 'kilted': 3, 'rolling': 3}
#: The library of each Fast DDS major version (2.x was still called Fast RTPS).
FAST_DDS_LIBRARIES = {3: 'libfastdds.so', 2: 'libfastrtps.so'}
#: A user's choice of Fast DDS builtin transports (e.g. LARGE_DATA), also respected.
BUILTIN_TRANSPORTS_ENV = 'FASTDDS_BUILTIN_TRANSPORTS'
#: The files Fast DDS 3 and 2 load from the working directory when no profile variable is set.
WORKING_DIRECTORY_PROFILES = ('DEFAULT_FASTDDS_PROFILES.xml', 'DEFAULT_FASTRTPS_PROFILES.xml')
#: RMW implementations that run on Fast DDS (the first one is ROS 2's default).
FASTDDS_RMWS = ('rmw_fastrtps_cpp', 'rmw_fastrtps_dynamic_cpp')
PROFILE_FILENAME = 'fastdds_large_images.xml'
#: The socket receive buffer the packaged profile asks for (bytes).
PROFILE_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
RMEM_MAX_FILE = Path('/proc/sys/net/core/rmem_max')


@dataclass(frozen=True)
class TransportChoice:
    """What the node runs its DDS traffic with, and why (one log line)."""

    #: True when the packaged profile was put into the environment by the node.
    applied: bool
    #: The profile file in use, if any is known.
    profile: Optional[Path]
    #: One sentence for the log.
    description: str


def packaged_profile_path() -> Path:
    """Return ``fastdds_large_images.xml``: the installed share directory, else the checkout."""
    share = package_share_dir()
    if share is not None and (share / 'config' / PROFILE_FILENAME).is_file():
        return share / 'config' / PROFILE_FILENAME
    return Path(__file__).resolve().parent.parent / 'config' / PROFILE_FILENAME


def fast_dds_major(environ: Mapping[str, str],
                   library_dirs: Optional[Iterable[Path]] = None) -> Optional[int]:
    """Return the major version of the Fast DDS this process would load (2 or 3), else None.

    A system ROS names its distribution in ``ROS_DISTRO``; otherwise (the PyPI wheels, a colcon
    workspace on them) the Fast DDS library is looked for in this interpreter's ``lib`` folder,
    the ``lib`` folders of ``AMENT_PREFIX_PATH`` and ``LD_LIBRARY_PATH`` (or ``library_dirs``).
    """
    distro = environ.get('ROS_DISTRO', '').strip().lower()
    if distro in FAST_DDS_MAJOR_BY_DISTRO:
        return FAST_DDS_MAJOR_BY_DISTRO[distro]
    if library_dirs is None:
        library_dirs = [Path(sys.prefix) / 'lib']
        library_dirs += [Path(prefix) / 'lib' for prefix
                         in environ.get('AMENT_PREFIX_PATH', '').split(os.pathsep) if prefix]
        library_dirs += [Path(folder) for folder
                         in environ.get('LD_LIBRARY_PATH', '').split(os.pathsep) if folder]
    for folder in library_dirs:
        for major, library in FAST_DDS_LIBRARIES.items():
            if any(folder.glob(library + '*')):
                return major
    return None


def profile_variables(environ: Mapping[str, str]) -> Tuple[str, ...]:
    """Return the variables that name the profile to the Fast DDS found (both if unknown)."""
    major = fast_dds_major(environ)
    if major == 3:
        return (PROFILE_ENV,)
    if major == 2:
        return (LEGACY_PROFILE_ENV,)
    return PROFILE_ENVS


def choose_transport(environ: Mapping[str, str], cwd: Optional[Path] = None) -> TransportChoice:
    """Return the choice for ``environ`` without changing anything.

    The packaged profile is chosen unless the user chose otherwise: another RMW in
    ``RMW_IMPLEMENTATION``, a profile in ``FASTDDS_DEFAULT_PROFILES_FILE`` or
    ``FASTRTPS_DEFAULT_PROFILES_FILE`` (or ``DEFAULT_FASTDDS_PROFILES.xml`` or
    ``DEFAULT_FASTRTPS_PROFILES.xml`` in the working directory, which Fast DDS loads by itself),
    or builtin transports in ``FASTDDS_BUILTIN_TRANSPORTS``.
    """
    rmw = environ.get('RMW_IMPLEMENTATION', '').strip()
    if rmw and rmw not in FASTDDS_RMWS:
        return TransportChoice(False, None, f'RMW_IMPLEMENTATION={rmw}: no Fast DDS profile '
                                            'applied (large best-effort images are up to it)')
    packaged = packaged_profile_path()
    for name in (PROFILE_ENV, LEGACY_PROFILE_ENV):
        if environ.get(name) and Path(environ[name]) == packaged:
            return TransportChoice(False, packaged, f'packaged Fast DDS profile {packaged} '
                                                    f'(already in ${name}, e.g. by the launch '
                                                    'file): large best-effort images arrive')
        if environ.get(name):
            return TransportChoice(False, Path(environ[name]),
                                   f'Fast DDS profile from ${name}: {environ[name]} '
                                   "(the user's; the packaged profile is not applied)")
    if environ.get(BUILTIN_TRANSPORTS_ENV):
        return TransportChoice(False, None,
                               f'{BUILTIN_TRANSPORTS_ENV}={environ[BUILTIN_TRANSPORTS_ENV]}: '
                               "the user's Fast DDS transports (the packaged profile is not "
                               'applied)')
    for name in WORKING_DIRECTORY_PROFILES:
        local = (cwd if cwd is not None else Path.cwd()) / name
        if local.is_file():
            return TransportChoice(False, local, f'Fast DDS profile {local} from the working '
                                                 'directory (the packaged profile is not applied)')
    profile = packaged
    if not profile.is_file():
        return TransportChoice(False, None, f'packaged Fast DDS profile {profile} not found: '
                                            'default transports (large best-effort images may '
                                            'be lost; reinstall the package)')
    return TransportChoice(True, profile, f'Fast DDS profile {profile} (UDPv4 only, '
                                          f'{PROFILE_RECEIVE_BUFFER_BYTES // 2**20} MiB receive '
                                          'buffer: large best-effort images arrive)')


def apply_transport_profile(environ: Optional[MutableMapping[str, str]] = None,
                            cwd: Optional[Path] = None) -> TransportChoice:
    """Choose (see :func:`choose_transport`) and put the packaged profile into ``environ``.

    The profile goes into the variable that the Fast DDS found reads (:func:`profile_variables`:
    Fast DDS 3 or 2; both when neither is found). Call before ``rclpy.init``: Fast DDS reads the
    profile when the participant is created.
    """
    environ = os.environ if environ is None else environ
    choice = choose_transport(environ, cwd)
    if choice.applied:
        for name in profile_variables(environ):
            environ[name] = str(choice.profile)
    return choice


def describe_transport(environ: Mapping[str, str],
                       cwd: Optional[Path] = None) -> TransportChoice:
    """Describe what a participant created now would use, changing nothing.

    For a node created by another program than :func:`emotion_estimator.ros.node.main` (which
    applies the profile itself before ``rclpy.init``).
    """
    choice = choose_transport(environ, cwd)
    if not choice.applied:
        return choice
    return TransportChoice(False, None, 'default Fast DDS transports: the packaged profile is '
                                        'applied by emotion_estimator_node (node.main) before '
                                        'rclpy.init, not when another program creates the node; '
                                        'large best-effort images from other processes may be '
                                        'lost')


def receive_buffer_warning(rmem_max_file: Path = RMEM_MAX_FILE) -> Optional[str]:
    """Return a warning when the kernel caps the profile's receive buffer, else None."""
    try:
        rmem_max = int(rmem_max_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    if rmem_max >= PROFILE_RECEIVE_BUFFER_BYTES:
        return None
    return (f'net.core.rmem_max is {rmem_max} bytes, below the {PROFILE_RECEIVE_BUFFER_BYTES} '
            'bytes the Fast DDS profile asks for, so large best-effort images may be lost: run '
            f'`sudo sysctl -w net.core.rmem_max={PROFILE_RECEIVE_BUFFER_BYTES}` or set '
            'use_compressed:=true')
