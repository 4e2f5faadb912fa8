"""Dashboard tests build their facilities and staff with the labour tests' factory."""

from tests.employers.labour.conftest import labour_world  # noqa: F401  (a fixture)
