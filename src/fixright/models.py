from fixright.accounts import models as accounts  # noqa: F401
