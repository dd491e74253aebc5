"""One case per side of the API's world, opened from its complaint on first use.

The API's isolation tables (tests/api/endpoints.py) name URLs with its id.
"""

from __future__ import annotations

from comptoir.cases.actions import do_open_case
from comptoir.cases.models import Case, CaseCategory
from tests.api.conftest import Side


def case_of(side: Side) -> Case:
    workspace = side.complaint.workspace
    found = Case.objects.filter(workspace=workspace).order_by("id").first()
    if found is not None:
        return found
    return do_open_case(
        workspace,
        title="Colis perdu",
        person=side.complaint.person,
        category=CaseCategory.AFTER_SALES,
        conversations=[side.complaint],
    )


def case_ids(side: Side) -> set[int]:
    """The cases the workspace holds (none unless a test opened one)."""
    return set(
        Case.objects.filter(workspace_id=side.complaint.workspace_id).values_list("pk", flat=True)
    )
