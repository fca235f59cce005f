# Copyright 2026 The emotion_estimator authors.
# SPDX-License-Identifier: Apache-2.0
"""The Fast DDS profile choice (no ROS): applied by default, never over the user's own choice."""

from pathlib import Path
import xml.etree.ElementTree as ElementTree

import pytest

from emotion_estimator.dds_profile import (
    apply_transport_profile, choose_transport, describe_transport, fast_dds_major,
    LEGACY_PROFILE_ENV, packaged_profile_path, PROFILE_ENV, PROFILE_ENVS,
    PROFILE_RECEIVE_BUFFER_BYTES, profile_variables, receive_buffer_warning)

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
    assert all(environ[name] == str(packaged_profile_path())
               for name in profile_variables(environ))
    assert 'UDPv4 only' in choice.description


@pytest.mark.parametrize('distro,variables', [
    # Fast DDS 2.14 (Jazzy) reads only the older name: with the newer one alone the profile is
    # not applied; Kilted's rmw_fastrtps warns about the older one as deprecated.
    ('jazzy', (LEGACY_PROFILE_ENV,)), ('humble', (LEGACY_PROFILE_ENV,)),
    ('kilted', (PROFILE_ENV,)), ('rolling', (PROFILE_ENV,)),
])
def test_the_variable_is_the_one_the_distributions_fast_dds_reads(tmp_path, distro, variables):
    environ = {'ROS_DISTRO': distro}
    apply_transport_profile(environ, cwd=tmp_path)
    assert profile_variables(environ) == variables
    assert {name for name in PROFILE_ENVS if name in environ} == set(variables)


@pytest.mark.parametrize('library,major', [('libfastdds.so.3.2.2', 3), ('libfastrtps.so.2.14', 2)])
def test_fast_dds_found_by_its_library(tmp_path, library, major):
    (tmp_path / library).write_bytes(b'')
    assert fast_dds_major({}, [tmp_path / 'empty', tmp_path]) == major


def test_unknown_fast_dds_gets_both_variables(tmp_path):
    assert fast_dds_major({}, [tmp_path]) is None
    assert set(PROFILE_ENVS) == {'FASTDDS_DEFAULT_PROFILES_FILE', 'FASTRTPS_DEFAULT_PROFILES_FILE'}


def test_this_interpreters_fast_dds_is_found():
    # The ROS 2 wheels of the running venv: Kilted's Fast DDS 3 or Jazzy's 2.14.
    assert fast_dds_major({}) in (2, 3)


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
