"""Local stand-ins for the social networks' publishing APIs (see networks.py)."""

from tests.standins.networks import STANDINS, start
from tests.standins.server import Recorded, Reply, Standin

__all__ = ["STANDINS", "Recorded", "Reply", "Standin", "start"]
