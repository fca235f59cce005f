#!/usr/bin/env bash
# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
#
# Show that the runtime installs and runs on arm64 (aarch64), the CPU of a Raspberry Pi: builds a
# Debian bookworm arm64 root (the base of Raspberry Pi OS) with debootstrap, runs it under
# qemu-user-static, installs Debian's python3 there and this package with pip from the registry
# (mediapipe, opencv-contrib-python, numpy, ai-edge-litert: the aarch64 wheels), then runs
# EmotionEstimator on two real faces from the shared folder (a smiling and a neutral one), each
# shown as a 15 Hz camera stream for 4 s, and prints the labels, once on each emulated CPU (the
# cores of a Raspberry Pi 4 and 5). The same check runs first with the host's .venv (x86_64) for
# comparison, when it exists.
#
# Not part of CI (it needs root; about 15 min for the arm64 root the first time, then 5-15 min
# on 2 busy cores). Writes its report to benchmarks/results/arm64_bookworm.md (or the path given
# as the first argument); exits 3 when the check failed on a CPU (the report says which).
# Emulated timings say nothing about a Pi: the report says what ran, never how fast.
# The committed report: sudo ARM64_ALSO='mediapipe==0.10.18 ai-edge-litert==2.3.0' \
#     scripts/arm64_check.sh
#
# The node is not run there: rclpy is not on PyPI for aarch64 (the ros-*-rclpy wheels are x86_64
# only) and Debian bookworm has no ROS 2 packages; on a Pi it comes from the system's ROS 2.
#
# Environment: ARM64_ROOT (the arm64 root, default /tmp/emotion_arm64_root; kept between
# runs, delete it to start over), ARM64_CPUS (qemu CPU models, default cortex-a72 cortex-a76),
# ARM64_ALSO (other requirements to check as well, in a second venv, e.g. 'mediapipe==0.10.18'),
# DEBIAN_MIRROR, ARM64_HAPPY_FACE, ARM64_NEUTRAL_FACE (images),
# EMOTION_ESTIMATOR_SHARED, EMOTION_ESTIMATOR_FACE_MODEL.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
ROOT=$REPO  # for find_shared.sh
. scripts/find_shared.sh
if [ ! -d "${EMOTION_ESTIMATOR_SHARED:-}" ]; then
    echo 'the shared data folder (faces, face model) was not found: set EMOTION_ESTIMATOR_SHARED' >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo 'needs root: debootstrap, chroot and binfmt_misc (run it with sudo)' >&2
    exit 2
fi
ARMROOT=${ARM64_ROOT:-/tmp/emotion_arm64_root}
REPORT=${1:-benchmarks/results/arm64_bookworm.md}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
FACE_MODEL=${EMOTION_ESTIMATOR_FACE_MODEL:-$EMOTION_ESTIMATOR_SHARED/models/face_landmarker.task}
# Yale subject 9 smiling and at rest: the x86_64 library reads them as happy and unknown.
YALE=$EMOTION_ESTIMATOR_SHARED/datasets/crossval/yale
HAPPY_FACE=${ARM64_HAPPY_FACE:-$YALE/happy/subject09.happy.gif}
NEUTRAL_FACE=${ARM64_NEUTRAL_FACE:-$YALE/neutral/subject09.normal.gif}
for file in "$FACE_MODEL" "$HAPPY_FACE" "$NEUTRAL_FACE"; do
    [ -f "$file" ] || { echo "missing: $file" >&2; exit 2; }
done
# The CPUs qemu emulates for the check (QEMU_CPU): a Raspberry Pi 4's and a Pi 5's cores, so
# that a wheel using instructions the older core lacks fails here as on the Pi. qemu gives the
# program the core's features (AT_HWCAP) but shows it the host's x86 /proc/cpuinfo, which the
# ARM code of the cpuinfo library (XNNPACK's) cannot parse (a segfault), so the root gets the
# /proc/cpuinfo of a Pi's core, with Features as the Linux kernel prints them on that board.
CPUS=${ARM64_CPUS:-cortex-a72 cortex-a76}
declare -A CPU_NAMES=([cortex-a72]='Raspberry Pi 4, ARMv8.0-A'
                      [cortex-a76]='Raspberry Pi 5, ARMv8.2-A')
declare -A CPU_INFO=(
    [cortex-a72]='Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08
CPU revision\t: 3'
    [cortex-a76]='Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x4\nCPU part\t: 0xd0b
CPU revision\t: 1')
WORK=$(mktemp -d)
step() { echo "== $(date +%H:%M:%S) $*" >&2; }

# 1. Run arm64 binaries: qemu-user-static registered with binfmt_misc.
if ! command -v debootstrap >/dev/null || ! command -v qemu-aarch64-static >/dev/null \
        || ! command -v update-binfmts >/dev/null; then
    step 'installing qemu-user-static debootstrap binfmt-support'
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static debootstrap \
        binfmt-support >/dev/null
fi
mountpoint -q /proc/sys/fs/binfmt_misc \
    || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2>/dev/null || true

# 2. The Debian bookworm arm64 root with python3 and venv (kept for the next run).
if [ ! -f "$ARMROOT/.debootstrap_done" ]; then
    step "debootstrap --arch=arm64 bookworm $ARMROOT (about 10-20 min under emulation)"
    rm -rf "$ARMROOT"
    debootstrap --arch=arm64 --variant=minbase \
        --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$ARMROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    touch "$ARMROOT/.debootstrap_done"
fi
cleanup() {
    umount "$ARMROOT/proc/cpuinfo" 2>/dev/null || true
    for mounted in sys proc dev; do umount "$ARMROOT/$mounted" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
mountpoint -q "$ARMROOT/proc" || mount -t proc proc "$ARMROOT/proc"
mountpoint -q "$ARMROOT/dev" || mount --bind /dev "$ARMROOT/dev"
# tcmalloc (in mediapipe) reads the CPU lists in /sys; without them it aborts.
mountpoint -q "$ARMROOT/sys" || mount --bind /sys "$ARMROOT/sys"
cp /etc/resolv.conf "$ARMROOT/etc/resolv.conf"
# pip there trusts what the host trusts (networks that inspect TLS add their own authority).
HOST_CA=${PIP_CERT:-/etc/ssl/certs/ca-certificates.crt}
cp "$HOST_CA" "$ARMROOT/etc/ssl/certs/host-ca-certificates.crt"
in_root() {
    chroot "$ARMROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        PIP_CERT=/etc/ssl/certs/host-ca-certificates.crt "$@"
}

# The shared libraries the wheels link to that a minimal Debian lacks (ldd in the root):
# opencv-contrib-python's cv2 (libxcb, libGL, GLib) and mediapipe's libmediapipe (EGL, GLES).
SYSTEM_LIBS='libgl1 libglib2.0-0 libxcb1 libegl1 libgles2'
if ! in_root dpkg -s $SYSTEM_LIBS >/dev/null 2>&1; then
    step "apt-get install $SYSTEM_LIBS in the arm64 root"
    in_root apt-get update -qq
    in_root /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends $SYSTEM_LIBS >"$WORK/apt.log" 2>&1 \
        || { tail -20 "$WORK/apt.log" >&2; exit 1; }
fi

# 3. The package (library, models, packaging files) and the check's inputs, copied in.
step 'copying the package, the face model and two faces into the arm64 root'
rm -rf "$ARMROOT/opt/emotion_estimator" "$ARMROOT/opt/check"
mkdir -p "$ARMROOT/opt/emotion_estimator" "$ARMROOT/opt/check"
tar -C "$REPO" --exclude=__pycache__ --exclude='*.egg-info' -cf - setup.py setup.cfg \
    package.xml resource emotion_estimator launch config models \
    | tar -C "$ARMROOT/opt/emotion_estimator" -xf -
cp "$FACE_MODEL" "$ARMROOT/opt/check/face_landmarker.task"
cp "$HAPPY_FACE" "$ARMROOT/opt/check/happy_face.${HAPPY_FACE##*.}"
cp "$NEUTRAL_FACE" "$ARMROOT/opt/check/neutral_face.${NEUTRAL_FACE##*.}"
HAPPY_IN_ROOT=happy_face.${HAPPY_FACE##*.}
NEUTRAL_IN_ROOT=neutral_face.${NEUTRAL_FACE##*.}
cat >"$ARMROOT/opt/check/check.py" <<'PYTHON'
"""Run EmotionEstimator on still faces shown as a 15 Hz camera stream; print the labels."""
import importlib.metadata
import platform
import sys

import cv2
import numpy as np

from emotion_estimator import EmotionEstimator

RATE_HZ, SECONDS = 15, 4
WIDTH, HEIGHT = 640, 480


def frame_of(path):
    """Return the image scaled to 480 px high on a grey 640x480 BGR frame."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:  # OpenCV before 4.12 reads no GIF, its video reader does
        ok, image = cv2.VideoCapture(path).read()
        if not ok:
            sys.exit(f'cannot read {path}')
    scale = HEIGHT / image.shape[0]
    width = min(WIDTH, round(image.shape[1] * scale))
    image = cv2.resize(image, (width, HEIGHT), interpolation=cv2.INTER_CUBIC)
    frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    left = (WIDTH - width) // 2
    frame[:, left:left + width] = image
    return frame


def main():
    face_model, pairs = sys.argv[1], sys.argv[2:]
    versions = ', '.join(f'{name} {importlib.metadata.version(name)}' for name in (
        'mediapipe', 'ai-edge-litert', 'numpy', 'opencv-contrib-python'))
    print(f'machine {platform.machine()}, Python {platform.python_version()}; {versions}')
    with EmotionEstimator(face_model_path=face_model, max_faces=1) as estimator:
        for number, pair in enumerate(pairs):
            name, path = pair.split('=', 1)
            frame = frame_of(path)
            estimator.reset()
            start = 100.0 * (number + 1)  # camera time (s): each face its own stream
            for index in range(RATE_HZ * SECONDS):
                result = estimator.process(frame, start + index / RATE_HZ)
                if (index + 1) % RATE_HZ == 0:
                    scores = ' '.join(f'{key}={value:.2f}' for key, value in
                                      sorted(result.scores.items()))
                    print(f'{name}: t={(index + 1) / RATE_HZ:.1f}s label={result.label} '
                          f'face_found={result.face_found} {scores}')
            print(f'{name}: label after {SECONDS} s of frames: {result.label}')


if __name__ == '__main__':
    main()
PYTHON

# 4. x86_64 first (the host's .venv), for comparison.
HOST_OUTPUT='(no .venv on the host: not run)'
if [ -x .venv/bin/python ]; then
    step 'the check on the host (x86_64, .venv)'
    HOST_OUTPUT=$(cd "$ARMROOT/opt/check" && "$REPO/.venv/bin/python" check.py \
        face_landmarker.task "smiling=$HAPPY_IN_ROOT" "neutral=$NEUTRAL_IN_ROOT" \
        2>"$WORK/host.err") || { cat "$WORK/host.err" >&2; exit 1; }
fi

# 5. arm64: a venv in the root, the package installed from the registry, the same check.
step 'pip install of the package in the arm64 root (aarch64 wheels from the registry)'
[ -x "$ARMROOT/opt/venv/bin/python" ] || in_root python3 -m venv /opt/venv
in_root /opt/venv/bin/python -m pip install --quiet --disable-pip-version-check \
    /opt/emotion_estimator >"$WORK/pip.log" 2>&1 || { tail -30 "$WORK/pip.log" >&2; exit 1; }
ARM_SECTIONS=''
FAILED=''
# run_check VENV TITLE: the check with VENV's Python on every emulated CPU, into the report.
run_check() {
    local venv=$1 title=$2 cpu index hwcap features output status
    for cpu in $CPUS; do
        step "the check on arm64 ($title), emulated $cpu (slow)"
        [ -n "${CPU_INFO[$cpu]:-}" ] || { echo "no /proc/cpuinfo known for $cpu" >&2; exit 2; }
        : >"$WORK/cpuinfo"
        for index in $(seq 0 $(($(nproc --all) - 1))); do  # as many as /sys lists
            printf "processor\t: $index\n${CPU_INFO[$cpu]}\n\n" >>"$WORK/cpuinfo"
        done
        umount "$ARMROOT/proc/cpuinfo" 2>/dev/null || true
        mount --bind "$WORK/cpuinfo" "$ARMROOT/proc/cpuinfo"
        # What the emulated CPU tells programs it has (the kernel's AT_HWCAP, as on a real Pi).
        hwcap=$(in_root /usr/bin/env QEMU_CPU="$cpu" LD_SHOW_AUXV=1 /bin/true | grep HWCAP \
            | tr -s ' ')
        features=$(in_root grep -m1 Features /proc/cpuinfo | tr -s ' \t' ' ')
        if output=$(in_root /usr/bin/env QEMU_CPU="$cpu" /bin/sh -c "cd /opt/check && \
                $venv/bin/python check.py face_landmarker.task smiling=$HAPPY_IN_ROOT \
                neutral=$NEUTRAL_IN_ROOT" 2>"$WORK/arm.err"); then
            output="$hwcap"$'\n'"/proc/cpuinfo $features"$'\n'"$output"
        else
            status=$?
            FAILED+=" $cpu($title)"
            output="$hwcap"$'\n'"/proc/cpuinfo $features"$'\n'"$output"$'\n'"FAILED: exit status "
            output+="$status; the last lines of its stderr (MediaPipe's start-up lines left out):"
            output+=$'\n'"$(grep -a -v -e '^W0000' -e '^I0000' -e '^INFO:' \
                -e '^WARNING: Logging' "$WORK/arm.err" | tail -5)"
        fi
        echo "$output"
        ARM_SECTIONS+=$'\n'"## arm64 (aarch64), $title, emulated CPU: $cpu (${CPU_NAMES[$cpu]:-})"
        ARM_SECTIONS+=$'\n\n```\n'"$output"$'\n```\n'
    done
}
run_check /opt/venv 'setup.py requirements'
# ARM64_ALSO: other requirements to try beside (e.g. 'mediapipe==0.10.18'), in a venv of their
# own with the package installed without its dependencies.
if [ -n "${ARM64_ALSO:-}" ]; then
    step "pip install $ARM64_ALSO in a second venv in the arm64 root"
    if [ "$(cat "$ARMROOT/opt/venv-also/requested" 2>/dev/null)" != "$ARM64_ALSO" ]; then
        rm -rf "$ARMROOT/opt/venv-also"
        in_root python3 -m venv /opt/venv-also
        in_root /opt/venv-also/bin/python -m pip install --quiet --disable-pip-version-check \
            $ARM64_ALSO >"$WORK/pip.log" 2>&1 || { tail -30 "$WORK/pip.log" >&2; exit 1; }
        echo "$ARM64_ALSO" >"$ARMROOT/opt/venv-also/requested"
    fi
    in_root /opt/venv-also/bin/python -m pip install --quiet --disable-pip-version-check \
        --no-deps /opt/emotion_estimator >"$WORK/pip.log" 2>&1 \
        || { tail -30 "$WORK/pip.log" >&2; exit 1; }
    run_check /opt/venv-also "also: $ARM64_ALSO"
    ALSO_FREEZE=$(in_root /opt/venv-also/bin/python -m pip freeze --disable-pip-version-check \
        | grep -v '^emotion.estimator')
fi
ARM_UNAME=$(in_root uname -m)
ARM_OS=$(in_root /bin/sh -c '. /etc/os-release && echo "$PRETTY_NAME, Debian $(cat /etc/debian_version)"')
ARM_FREEZE=$(in_root /opt/venv/bin/python -m pip freeze --disable-pip-version-check \
    | grep -v '^emotion.estimator')

# 6. The report.
relative() { echo "${1#"$EMOTION_ESTIMATOR_SHARED"/}"; }
{
    echo '# The runtime on arm64 (Debian bookworm, emulated)'
    echo
    echo "Command: \`sudo ${ARM64_ALSO:+ARM64_ALSO='$ARM64_ALSO' }scripts/arm64_check.sh\` (as root)."
    echo "Date: $(date)."
    echo "Machine: $(nproc)-core $(uname -m) VM ($(uname -sr)); the arm64 root runs under"
    echo "qemu-user-static $(dpkg-query -W -f='${Version}' qemu-user-static 2>/dev/null) via binfmt_misc."
    echo
    echo "What ran: \`debootstrap --arch=arm64 bookworm\` ($ARM_OS; \`uname -m\` there:"
    echo "\`$ARM_UNAME\`) with Debian's python3 and python3-venv; the libraries the wheels link to"
    echo "that a minimal Debian lacks (\`apt-get install $SYSTEM_LIBS\`; without them"
    echo '`import cv2` fails with `libxcb.so.1: cannot open shared object file`); `pip install` of'
    echo 'this package from the registry into a venv there (its `install_requires` from `setup.py`,'
    echo 'the aarch64 wheels); then `EmotionEstimator` (the library, max_faces 1) on two real faces'
    echo 'from the shared folder, each scaled onto a grey 640x480 frame and shown as a 15 Hz stream'
    echo "for 4 s of camera time: smiling \`$(relative "$HAPPY_FACE")\`, neutral"
    echo "\`$(relative "$NEUTRAL_FACE")\`. A label line for each second of camera time."
    echo
    echo "Emulated CPUs (\`QEMU_CPU\`, with a Pi core's \`/proc/cpuinfo\` bound over the host's):"
    echo "$CPUS. The check failed on:${FAILED:- none}."
    echo
    echo 'Not run: the ROS 2 node. rclpy is not on PyPI for aarch64 (the `ros-*-rclpy` wheels are'
    echo 'x86_64 only) and Debian bookworm has no ROS 2; on a Pi the system ROS 2 provides it'
    echo '(docs/raspberry_pi.md). Speed: not measured. Emulated timings say nothing about a Pi.'
    echo
    echo "$ARM_SECTIONS"
    echo '## x86_64 (the host, .venv), the same check'
    echo
    echo '```'
    echo "$HOST_OUTPUT"
    echo '```'
    echo
    echo '## Installed in the arm64 venv (pip freeze)'
    echo
    echo '```'
    echo "$ARM_FREEZE"
    echo '```'
    if [ -n "${ARM64_ALSO:-}" ]; then
        echo
        echo "## Installed in the second arm64 venv, ARM64_ALSO='$ARM64_ALSO' (pip freeze)"
        echo
        echo '```'
        echo "$ALSO_FREEZE"
        echo '```'
    fi
} >"$REPORT"
step "report written to $REPORT"
if [ -n "$FAILED" ]; then
    echo "the check failed on:$FAILED (see the report)" >&2
    exit 3
fi
