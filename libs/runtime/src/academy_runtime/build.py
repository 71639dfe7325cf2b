"""What is running: the service's package version and the commit it was built from."""

import os
from dataclasses import dataclass
from importlib import metadata

#: Set at image build (`--build-arg ACADEMY_BUILD_COMMIT=$(git rev-parse HEAD)`).
COMMIT_ENV = "ACADEMY_BUILD_COMMIT"


@dataclass(frozen=True, slots=True)
class BuildInfo:
    service: str
    version: str
    commit: str


def build_info(service: str) -> BuildInfo:
    """The installed version of `academy-<service>` (the runtime's for a process that is not
    one of the four services, such as the reference portal) and the build's commit."""
    try:
        version = metadata.version(f"academy-{service}")
    except metadata.PackageNotFoundError:
        version = metadata.version("academy-runtime")
    return BuildInfo(
        service=service, version=version, commit=os.environ.get(COMMIT_ENV) or "unknown"
    )
