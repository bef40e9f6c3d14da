"""Paging of long lists on pages: the query string to keep in the pager's links."""

from django.http import HttpRequest


def query_without_page(request: HttpRequest) -> str:
    """The request's filters, without the page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
