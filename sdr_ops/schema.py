"""What the OpenAPI schema says of every operation beyond its happy answer.

drf-spectacular documents the responses a view declares. Every operation of the API can also
refuse a request: 400 when its input does not validate (a body or a query parameter), 401
without credentials, and 404 when an object the request names does not exist or lies outside
the caller's reach (the two answer alike). The hook below adds these refusals to each
operation, so that a client generated from the schema knows every answer it may receive; the
API fuzz test checks that no other status code comes back.
"""

ERROR = {
    "type": "object",
    "description": "What was refused and why: `detail`, or a list of messages per field.",
    "additionalProperties": True,
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_refusals(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: adds 400, 401 and 404 where they can happen."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            parameters = operation.get("parameters", [])
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in parameters
            )
            if takes_input or method in ("post", "put", "patch"):
                responses.setdefault("400", _error("The input does not validate."))
            responses.setdefault("401", _error("No valid credentials were sent."))
            # The path, a query parameter or the body can name what does not exist or is out
            # of reach (a lead, a team), and a request with none can concern what the caller
            # lacks (a call list for the day, a team to regulate): each answers 404.
            responses.setdefault(
                "404", _error("No such object within your reach (both answer alike).")
            )
    return result
