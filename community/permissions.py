"""DRF permission classes (kept apart from api_base so DRF settings can import them early)."""

from rest_framework import permissions


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Model permissions from the role, reads included (a party worker cannot list money)."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return bool(request.user and request.user.is_authenticated)
        if getattr(view, "model_permissions", True) is False:
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)

    def _queryset(self, view):
        """The model is all the check needs: the class's queryset names it, where DRF would call
        ``get_queryset`` and build the scoped, annotated list query (a second time in a list request)."""
        queryset = getattr(view, "queryset", None)
        if queryset is not None:
            return queryset
        return super()._queryset(view)


REVEAL_PERMISSION = "community.reveal_personal_data"


def may_reveal(user) -> bool:
    """Whether ``user`` may see full ID numbers, phones and birth dates (and filter, search or sort on them)."""
    return bool(user and user.is_authenticated and user.has_perm(REVEAL_PERMISSION))
