# The whole-API checks (schema, schemathesis) use the API tests' throttle reset and case set.
from tests.cases.api.conftest import cases  # noqa: F401
from tests.core.api.conftest import _fresh_throttle  # noqa: F401
