from ..declarations.conftest import no_random_inspection  # noqa: F401 - the same exact outcomes here
