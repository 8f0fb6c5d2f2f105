"""What every channel backend returns or raises."""

from dataclasses import dataclass


class ChannelError(Exception):
    """The channel did not take the message. ``temporary`` errors are retried with backoff."""

    temporary = False


class TemporaryChannelError(ChannelError):
    """Worth another try later: a timeout, a refused connection, a provider's 5xx."""

    temporary = True


class PermanentChannelError(ChannelError):
    """Another try would fail the same way: an invalid number, a refused recipient."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    # True when the provider reports arrival at the recipient's system at once (CPL 90: the time of service).
    delivered: bool = False
