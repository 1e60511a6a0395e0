"""Related rows read inside their parent's query: one round trip where `prefetch_related` takes two.

`rows_array` annotates the parent with its related rows as one array of JSON objects (PostgreSQL builds it in
the same statement); `rows_prefetched` turns that array back into model instances and keeps them exactly where
`prefetch_related` would (`parent.<name>.all()` reads them, with no query), so templates and helpers written for
a prefetch need no change. For pages on a cold path, where each query is a round trip and a plan.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DecimalField, F, Model, QuerySet, TextField
from django.db.models.functions import Cast, JSONObject


def _attnames(model: type[Model], fields: Sequence[str] | None) -> list[str]:
    return list(fields) if fields is not None else [f.attname for f in model._meta.concrete_fields]


def rows_array(queryset: QuerySet, fields: Sequence[str] | None = None) -> ArraySubquery:
    """The rows of `queryset` (filtered on an `OuterRef` of the parent, in its own order) as an array of JSON
    objects of `fields` (column names; every column when None)."""
    model = queryset.model

    def column(name: str):
        # JSON numbers come back as floats: decimals travel as their exact text.
        return Cast(name, TextField()) if isinstance(model._meta.get_field(name), DecimalField) else F(name)

    return ArraySubquery(queryset.values(row=JSONObject(**{name: column(name) for name in _attnames(model, fields)})))


def rows_prefetched(instance: Model, name: str, model: type[Model], rows: list[dict] | None) -> list[Model]:
    """`rows` (as `rows_array` read them) as `model` instances, kept as the prefetched result of the related
    manager `instance.<name>` (a reverse foreign key or a many-to-many field: its cache name is its own name).
    Columns left out of the rows are deferred, as with `.only()`."""
    objects = []
    for row in rows or ():
        # In the model's column order, which `from_db` expects (a JSON object keeps its keys in its own order).
        fields = [field for field in model._meta.concrete_fields if field.attname in row]
        values = [field.to_python(row[field.attname]) for field in fields]
        objects.append(model.from_db(instance._state.db, [field.attname for field in fields], values))
    queryset = getattr(instance, name).all()  # lazy: no query
    queryset._result_cache = objects
    queryset._prefetch_done = True  # as QuerySet.prefetch_related's own caching (prefetch_one_level)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
    return objects
