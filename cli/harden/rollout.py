"""Production applies go in batches; the rollout stops when too many hosts fail."""

from __future__ import annotations

import math

from harden.errors import HardenError


def batches(hosts: list[str], spec: str) -> list[list[str]]:
    """Split hosts into batches of N hosts ('2') or N percent of them ('20%'), at least one host each."""
    try:
        size = math.ceil(len(hosts) * float(spec[:-1]) / 100) if spec.endswith("%") else int(spec)
    except ValueError:
        raise HardenError(f"--batch {spec}: give a number of hosts (2) or a percentage (20%)") from None
    if size < 1 and not spec.endswith("%"):
        raise HardenError(f"--batch {spec}: a batch holds at least one host")
    size = max(1, size)
    return [hosts[i:i + size] for i in range(0, len(hosts), size)]
