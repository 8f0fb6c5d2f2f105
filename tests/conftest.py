import pytest

from tests.factories import PASSWORD, World


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def login(client):
    """Log the test client in as one of the World's users."""

    def _login(username: str):
        assert client.login(username=username, password=PASSWORD)
        return client

    return _login
