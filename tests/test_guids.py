"""CEB GUIDs: version 4 UUIDs in upper case, never repeated, not shared with a forked child."""

import os
import uuid

from declarations import guids
from declarations.guids import new_guid


def test_guids_are_version_4_uuids_in_upper_case():
    values = [new_guid() for _ in range(3 * guids._POOL_SIZE)]  # across refills of the pool
    assert len(set(values)) == len(values)
    for value in values[:: guids._POOL_SIZE // 4]:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert value == str(parsed).upper()
    # every variant digit and hex digit turns up: nothing is stuck
    assert {v[19] for v in values} == set("89AB")
    assert set("".join(values).replace("-", "")) == set("0123456789ABCDEF")


def test_a_forked_child_draws_its_own():
    new_guid()  # the parent's pool holds guids now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        os.write(write, ",".join(new_guid() for _ in range(20)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split(","))
    os.waitpid(pid, 0)
    parent = {new_guid() for _ in range(20)}
    assert len(child) == 20 and not child & parent
