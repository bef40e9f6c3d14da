"""Helpers for set-based writes of many rows."""

from django.db.models import Case, F, Field, Value, When


def per_row(values: dict, field: Field, *, keep: str | None = None) -> Case | F | Value:
    """The value of a column for each row id in `values`, for one UPDATE of those rows: a
    CASE with one WHEN per distinct value (a plain value when all rows take the same). With
    `keep`, the UPDATE may cover other rows too, which keep their column of that name."""
    ids_of: dict = {}
    for pk, value in values.items():
        ids_of.setdefault(value, []).append(pk)
    if keep is not None and not ids_of:
        return F(keep)
    if keep is None and len(ids_of) == 1:
        return Value(next(iter(ids_of)), output_field=field)
    return Case(
        *(When(pk__in=ids, then=Value(value, output_field=field)) for value, ids in ids_of.items()),
        default=F(keep) if keep is not None else None,
        output_field=field,
    )
