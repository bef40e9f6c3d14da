"""Set-based data generation for the benchmarks, through the models' own defaults.

A benchmark writes hundreds of thousands of rows with `INSERT ... SELECT generate_series`, which
is fast but used to name every column by hand: a NOT NULL column added later (a team setting,
a user's language) then broke the benchmark. `insert_select` names only the columns the
benchmark cares about and fills every other column of the model with the model's default, so
a new column with a default needs no change here, and one without a default fails with the
column's name rather than a constraint error.
"""

from django.db import connection
from django.db.models import Model


def run(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def empty_app_tables() -> None:
    """Every table of the app's own models emptied, its ids restarted (never on real data)."""
    from django.apps import apps

    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in {"sdr_ops", "leads", "handoffs", "metrics", "cadences"}
    ]
    run(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def insert_select(model: type[Model], values: dict[str, str], rest: str, params=None) -> None:
    """INSERT INTO the model's table SELECT `values` (column -> SQL expression) `rest`.

    `rest` is the statement's FROM/WHERE part; the SQL uses named parameters (`%(name)s`,
    `%%` for a literal percent sign). Every concrete column missing from `values` gets the
    field's default (or NULL where the field allows it); generated columns are left to the
    database.
    """
    params = dict(params or {})
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        if getattr(field, "generated", False):
            continue  # the database computes it (e.g. a lead's phone digits)
        columns.append(field.column)
        if field.column in values:
            expressions.append(values[field.column])
            continue
        if field.has_default():
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        elif field.empty_strings_allowed and not field.is_relation:
            value = ""  # a CharField or TextField without default: Django's own empty value
        else:
            raise ValueError(
                f"{model.__name__}.{field.name} ({field.column}) has no default: give it"
            )
        name = f"_default_{field.column}"
        params[name] = value
        expressions.append(f"%({name})s")
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    run(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {rest}",
        params,
    )
