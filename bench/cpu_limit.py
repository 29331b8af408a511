"""Lambda's CPU share for a memory size, reproduced with a cgroup CPU quota.

Lambda gives CPU in proportion to memory: 1,769 MB is one full vCPU, so 512 MB gets about 0.29
of one. A cgroup with that quota per 100 ms period (cpu.max on cgroup v2; cpu.cfs_period_us and
cpu.cfs_quota_us on v1) holds a benchmark's child process to the same share. Creating one needs
root; without it the figure is taken at full CPU and says so (``CpuLimit.note``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

FULL_CPU_MB = 1769  # Lambda: one full vCPU at 1,769 MB, CPU in proportion below
PERIOD_US = 100_000
CGROUP_ROOT = Path("/sys/fs/cgroup")


def cpu_share(memory_mb: int) -> float:
    return memory_mb / FULL_CPU_MB


def cpu_quota_us(memory_mb: int, period_us: int = PERIOD_US) -> int:
    """CPU time per period a function of that memory size gets: 512 MB -> 28,943 of 100,000."""
    return max(1000, round(period_us * cpu_share(memory_mb)))


class CpuLimit:
    """A cgroup holding the child at the memory size's CPU share, or none (full CPU) with why."""

    def __init__(self, folder: Path | None, version: str, quota_us: int, note: str = "") -> None:
        self.folder, self.version, self.quota_us, self.note = folder, version, quota_us, note

    @property
    def procs(self) -> Path | None:
        return self.folder / "cgroup.procs" if self.folder else None

    def wrap(self, command: list[str]) -> list[str]:
        """The command, started inside the cgroup before the interpreter runs a line."""
        if self.procs is None:
            return command
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.procs), *command]

    def remove(self) -> None:
        if self.folder is None:
            return
        for _ in range(50):  # the child's exit reaches the cgroup a moment later
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.05)


def cpu_limit(memory_mb: int, root: Path = CGROUP_ROOT, name: str = "") -> CpuLimit:
    """Create the cgroup (v2: cpu.max; v1: cpu.cfs_period_us and cpu.cfs_quota_us)."""
    quota = cpu_quota_us(memory_mb)
    name = name or f"freigabe-bench-{memory_mb}mb-{os.getpid()}"
    try:
        controllers = root / "cgroup.controllers"
        if controllers.is_file() and "cpu" in controllers.read_text().split():
            subtree = root / "cgroup.subtree_control"
            if "cpu" not in subtree.read_text().split():
                subtree.write_text("+cpu")
            folder = root / name
            folder.mkdir(exist_ok=True)
            (folder / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            return CpuLimit(folder, "v2", quota)
        v1 = next((root / d for d in ("cpu", "cpu,cpuacct") if (root / d / "cpu.cfs_quota_us").is_file()),
                  None)
        if v1 is not None:
            folder = v1 / name
            folder.mkdir(exist_ok=True)
            (folder / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (folder / "cpu.cfs_quota_us").write_text(str(quota))
            return CpuLimit(folder, "v1", quota)
        return CpuLimit(None, "none", quota, f"no cgroup cpu controller under {root}")
    except OSError as err:
        return CpuLimit(None, "none", quota, f"cannot create a cgroup under {root}: {err.strerror or err}")


