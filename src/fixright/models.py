from fixright.accounts import models as accounts  # noqa: F401
from fixright.advisories import models as advisories  # noqa: F401
from fixright.audit import models as audit  # noqa: F401
from fixright.catalog import models as catalog  # noqa: F401
from fixright.contracts import models as contracts  # noqa: F401
from fixright.entitlement import models as entitlement  # noqa: F401
from fixright.inventory import models as inventory  # noqa: F401
from fixright.triage import models as triage  # noqa: F401
