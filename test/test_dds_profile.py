# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The Fast DDS profile choice (no ROS): applied by default, never over the user's own choice."""

from pathlib import Path
import xml.etree.ElementTree as ElementTree

import pytest

from emotion_estimator.dds_profile import (
    apply_transport_profile, choose_transport, describe_transport, packaged_profile_path,
    PROFILE_ENV, PROFILE_ENVS, PROFILE_RECEIVE_BUFFER_BYTES, receive_buffer_warning)

NAMESPACE = {'dds': 'http://www.eprosima.com'}


def test_packaged_profile_is_udp_only_with_a_4_mib_buffer_and_udp_locators():
    path = packaged_profile_path()
    assert path.is_file() and path.name == 'fastdds_large_images.xml'
    root = ElementTree.parse(path).getroot()
    descriptor = root.find('dds:profiles/dds:transport_descriptors/dds:transport_descriptor',
                           NAMESPACE)
    assert descriptor.findtext('dds:type', namespaces=NAMESPACE) == 'UDPv4'
    assert int(descriptor.findtext('dds:receiveBufferSize', namespaces=NAMESPACE)) == \
        PROFILE_RECEIVE_BUFFER_BYTES
    participant = root.find('dds:profiles/dds:participant', NAMESPACE)
    assert participant.get('is_default_profile') == 'true'
    rtps = participant.find('dds:rtps', NAMESPACE)
    assert rtps.findtext('dds:useBuiltinTransports', namespaces=NAMESPACE) == 'false'
    assert rtps.findtext('dds:userTransports/dds:transport_id', namespaces=NAMESPACE) == \
        descriptor.findtext('dds:transport_id', namespaces=NAMESPACE)
    assert rtps.find('dds:defaultUnicastLocatorList/dds:locator/dds:udpv4', NAMESPACE) \
        is not None


def test_applied_in_a_default_environment(tmp_path):
    environ = {'ROS_DOMAIN_ID': '7'}
    choice = apply_transport_profile(environ, cwd=tmp_path)
    assert choice.applied and choice.profile == packaged_profile_path()
    assert environ[PROFILE_ENV] == str(packaged_profile_path())
    # Fast DDS 2.14 (Jazzy) reads only the older name: without it the profile is not applied.
    assert set(PROFILE_ENVS) == {'FASTDDS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE'}
    assert all(environ[name] == str(packaged_profile_path()) for name in PROFILE_ENVS)
    assert 'UDPv4 only' in choice.description


@pytest.mark.parametrize('environ,expected', [
    ({'RMW_IMPLEMENTATION': 'rmw_cyclonedds_cpp'}, 'RMW_IMPLEMENTATION=rmw_cyclonedds_cpp'),
    ({'FASTDDS_DEFAULT_PROFILES_FILE': '/etc/mine.xml'}, '/etc/mine.xml'),
    ({'FASTRTPS_DEFAULT_PROFILES_FILE': '/etc/old.xml'}, '$FASTRTPS_DEFAULT_PROFILES_FILE'),
    ({'FASTDDS_BUILTIN_TRANSPORTS': 'LARGE_DATA'}, 'LARGE_DATA'),
])
def test_the_users_choice_is_kept(tmp_path, environ, expected):
    before = dict(environ)
    choice = apply_transport_profile(environ, cwd=tmp_path)
    assert not choice.applied
    assert environ == before
    assert expected in choice.description


@pytest.mark.parametrize('rmw', ['rmw_fastrtps_cpp', 'rmw_fastrtps_dynamic_cpp', ''])
def test_fast_dds_rmws_get_the_profile(tmp_path, rmw):
    assert choose_transport({'RMW_IMPLEMENTATION': rmw}, cwd=tmp_path).applied


@pytest.mark.parametrize('name', ['DEFAULT_FASTDDS_PROFILES.xml', 'DEFAULT_FASTRTPS_PROFILES.xml'])
def test_a_profile_in_the_working_directory_is_the_users(tmp_path, name):
    (tmp_path / name).write_text('<dds/>')
    choice = choose_transport({}, cwd=tmp_path)
    assert not choice.applied and choice.profile == tmp_path / name


def test_the_packaged_profile_set_by_the_launch_file_is_named_as_such(tmp_path):
    choice = choose_transport({name: str(packaged_profile_path()) for name in PROFILE_ENVS},
                              cwd=tmp_path)
    assert not choice.applied and choice.profile == packaged_profile_path()
    assert 'packaged' in choice.description


def test_described_without_main_says_the_profile_is_not_applied(tmp_path):
    choice = describe_transport({}, cwd=tmp_path)
    assert not choice.applied and 'default Fast DDS transports' in choice.description


@pytest.mark.parametrize('rmem_max,warns', [(212992, True), (4194304, False), (8388608, False)])
def test_small_rmem_max_gives_the_sysctl_fix(tmp_path, rmem_max, warns):
    path = tmp_path / 'rmem_max'
    path.write_text(f'{rmem_max}\n')
    warning = receive_buffer_warning(path)
    assert (warning is not None) == warns
    if warns:
        assert 'sysctl -w net.core.rmem_max=4194304' in warning
        assert 'use_compressed' in warning


def test_unreadable_rmem_max_gives_no_warning(tmp_path):
    assert receive_buffer_warning(Path(tmp_path / 'missing')) is None
