"""Hand-written fakes of the services' ports. They keep state, so tests assert outcomes."""

from tests.fakes.clock import Clock
from tests.fakes.control import FakeControlStore
from tests.fakes.repository import MemoryPostRepository
from tests.fakes.slack import FakeDirectory, FakeReviewRequests, FakeSlack

__all__ = [
    "Clock",
    "FakeControlStore",
    "FakeDirectory",
    "FakeReviewRequests",
    "FakeSlack",
    "MemoryPostRepository",
]
