"""City standard data interface: JSON endpoints under /api/city/v1/.

Other addons add endpoints by subclassing :class:`CityApiBase` (or any controller) and calling
:meth:`CityApiBase._api_call`, which gives them the shared behaviour:

* authentication with an Odoo user API key (``Authorization: Bearer <key>``),
* a per-user rate limit (``city_api_rate_limit_per_minute`` in odoo.conf, default 600),
* a request size limit (``city_api_max_body_bytes``, default 1 MiB),
* JSON body parsing, a savepoint around the handler (an error loses nothing and keeps nothing),
* one error envelope ``{"error": {"code", "message", "details"}}`` with stable codes.
"""

import contextlib
import datetime
import json
import logging

import psycopg2
import pytz
from psycopg2 import errorcodes

from odoo import http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import config

from ..models.res_partner import ID_ERRORS
from ..tools import validators

_logger = logging.getLogger(__name__)

API_PREFIX = "/api/city/v1"
DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_RATE_LIMIT = 600


class ApiError(Exception):
    """Raise from an endpoint to answer with this status and stable error code."""

    def __init__(self, status, code, message, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def _config_int(key, default):
    try:
        return int(config.get(key) or default)
    except (TypeError, ValueError):
        return default


def api_moment(value, index=None, field="occurred_at", max_age_days=None):
    """An ISO 8601 date-time with its offset, as naive UTC (``index``: position in a batch)."""
    if not isinstance(value, str):
        raise ApiError(
            400,
            "malformed",
            request.env._("%(field)s must be an ISO 8601 string.", field=field),
            {"index": index, "field": field},
        )
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise ApiError(
            400,
            "malformed",
            request.env._("%(field)s is not an ISO 8601 date-time.", field=field),
            {"index": index, "field": field},
        ) from error
    if moment.tzinfo is None:
        raise ApiError(
            422,
            "validation_error",
            request.env._("%(field)s needs a time zone offset.", field=field),
            {"index": index, "field": field},
        )
    moment = moment.astimezone(pytz.utc).replace(tzinfo=None)
    if moment > datetime.datetime.utcnow() + datetime.timedelta(minutes=10):
        raise ApiError(
            422,
            "validation_error",
            request.env._("%(field)s is in the future.", field=field),
            {"index": index, "field": field},
        )
    if max_age_days and moment < datetime.datetime.utcnow() - datetime.timedelta(days=max_age_days):
        raise ApiError(
            422,
            "validation_error",
            request.env._("%(field)s is more than %(days)s days old.", field=field, days=max_age_days),
            {"index": index, "field": field},
        )
    return moment


class CityApiBase(http.Controller):
    # ------------------------------------------------------------------
    # Shared machinery
    # ------------------------------------------------------------------
    @staticmethod
    def _api_response(payload, status=200, headers=None):
        response = request.make_json_response(payload, status=status, headers=headers)
        response.headers["Cache-Control"] = "no-store"
        return response

    @classmethod
    def _api_error(cls, status, code, message, details=None, headers=None):
        body = {"error": {"code": code, "message": str(message), "details": details or {}}}
        return cls._api_response(body, status=status, headers=headers)

    @staticmethod
    def _api_lang(user):
        """Language of messages: the Accept-Language header if installed, else the user's."""
        installed = {code for code, _name in request.env["res.lang"].get_installed()}
        for item in request.httprequest.accept_languages.values():
            code = item.replace("-", "_")
            for candidate in (code, {"zh": "zh_CN", "en": "en_US"}.get(code.split("_")[0], "")):
                if candidate in installed:
                    return candidate
        return user.lang or "en_US"

    def _api_authenticate(self):
        header = request.httprequest.headers.get("Authorization", "")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "unauthorized", request.env._("Send an API key: Authorization: Bearer <key>."))
        uid = request.env["res.users.apikeys"]._check_credentials(scope="rpc", key=key.strip())
        if not uid:
            raise ApiError(401, "unauthorized", request.env._("The API key is invalid or expired."))
        request.update_env(user=uid)
        user = request.env.user
        request.update_context(lang=self._api_lang(user), tz=user.tz or "Asia/Shanghai")
        return user

    def _api_rate_limit(self, user):
        limit = _config_int("city_api_rate_limit_per_minute", DEFAULT_RATE_LIMIT)
        if limit <= 0:
            return
        count = request.env["city.api.usage"]._hit(user.id)
        if count > limit:
            retry = 60 - datetime.datetime.utcnow().second
            raise ApiError(
                429,
                "rate_limited",
                request.env._("Too many requests: at most %(limit)s per minute.", limit=limit),
                {"retry_after": retry, "limit": limit},
            )

    @staticmethod
    def _api_body(required=True):
        http_request = request.httprequest
        limit = _config_int("city_api_max_body_bytes", DEFAULT_MAX_BODY)
        if (http_request.content_length or 0) > limit:
            raise ApiError(
                413,
                "payload_too_large",
                request.env._("The request body is larger than %(limit)s bytes.", limit=limit),
                {"limit": limit},
            )
        raw = http_request.get_data(cache=True)
        if len(raw) > limit:
            raise ApiError(
                413,
                "payload_too_large",
                request.env._("The request body is larger than %(limit)s bytes.", limit=limit),
                {"limit": limit},
            )
        if not raw.strip():
            if required:
                raise ApiError(400, "malformed", request.env._("The request needs a JSON body."))
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(
                400, "malformed", request.env._("The request body is not valid JSON."), {"reason": str(error)}
            ) from error
        if not isinstance(body, dict):
            raise ApiError(400, "malformed", request.env._("The request body must be a JSON object."))
        return body

    def _api_call(self, handler, *, authenticate=True, body=False, savepoint=True):
        """Run ``handler(payload)`` with the shared authentication, limits and error envelope.

        ``handler`` returns a JSON-serialisable object (sent as 200) or a ``(status, object)`` pair.
        It runs in a savepoint, so that a refusal undoes whatever it wrote before the error
        answer is committed; ``savepoint=False`` is for a handler that writes in one atomic
        statement, or opens its own savepoint around the writes that can be refused.
        """
        try:
            if authenticate:
                user = self._api_authenticate()
                self._api_rate_limit(user)
            payload = self._api_body() if body else {}
            with request.env.cr.savepoint() if savepoint else contextlib.nullcontext():
                result = handler(payload)
            status = 200
            if isinstance(result, tuple):
                status, result = result
            return self._api_response(result, status=status)
        except ApiError as error:
            headers = {"Retry-After": str(error.details["retry_after"])} if error.status == 429 else None
            return self._api_error(error.status, error.code, error.message, error.details, headers=headers)
        except (AccessError, AccessDenied) as error:
            return self._api_error(403, "forbidden", error.args[0] if error.args else "")
        except MissingError as error:
            return self._api_error(404, "not_found", error.args[0])
        except (ValidationError, UserError) as error:
            return self._api_error(422, "validation_error", error.args[0])
        except psycopg2.IntegrityError as error:
            if error.pgcode == errorcodes.UNIQUE_VIOLATION:
                return self._api_error(409, "duplicate", request.env._("This record already exists."))
            return self._api_error(422, "validation_error", request.env._("The data breaks a database constraint."))
        except psycopg2.OperationalError as error:
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise  # Odoo retries the whole request
            _logger.exception("city API database error")
            return self._api_error(500, "internal_error", request.env._("Internal error."))

    # ------------------------------------------------------------------
    # Endpoints
    # ------------------------------------------------------------------
    @http.route(f"{API_PREFIX}/ping", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def ping(self):
        return self._api_response({"data": {"status": "ok", "api": "city", "version": "v1"}})

    @http.route(
        f"{API_PREFIX}/openapi.json",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
        readonly=True,
    )
    def openapi(self):
        document = (
            request.env["city.api.openapi"]
            .sudo()
            ._openapi_document(server_url=request.httprequest.host_url.rstrip("/") + API_PREFIX)
        )
        return self._api_response(document)

    @http.route(
        [f"{API_PREFIX}/divisions", f"{API_PREFIX}/divisions/<string:code>"],
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def divisions(self, code=None, **params):
        def handler(_payload):
            divisions = request.env["city.division"]
            if code:
                return {"data": self._api_division(code)._api_data()}
            try:
                limit = int(params.get("limit", 100))
                offset = int(params.get("offset", 0))
            except ValueError as error:
                raise ApiError(400, "malformed", request.env._("limit and offset must be integers.")) from error
            if not 1 <= limit <= 1000 or offset < 0:
                raise ApiError(400, "malformed", request.env._("limit must be 1 to 1000 and offset at least 0."))
            domain = []
            if params.get("parent_code"):
                domain.append(("parent_id", "=", self._api_division(params["parent_code"], "parent_code").id))
            if params.get("type"):
                domain.append(("type", "=", params["type"]))
            records = divisions.search(domain, limit=limit, offset=offset)
            return {"data": [division._api_data() for division in records], "total": divisions.search_count(domain)}

        return self._api_call(handler)

    @http.route(
        f"{API_PREFIX}/residents/id-check",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def resident_id_check(self):
        def handler(payload):
            number = self._api_id_number(payload)
            error = validators.resident_id_error(number)
            if error:
                return {
                    "data": {
                        "valid": False,
                        "error": error,
                        "message": request.env._(ID_ERRORS[error]),
                        "birth_date": None,
                        "gender": None,
                        "region_code": None,
                    }
                }
            birth, gender = validators.parse_resident_id(number)
            return {
                "data": {
                    "valid": True,
                    "error": None,
                    "message": None,
                    "birth_date": birth.isoformat(),
                    "gender": gender,
                    "region_code": number[:6],
                }
            }

        return self._api_call(handler, body=True)

    @http.route(
        f"{API_PREFIX}/residents/lookup",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def resident_lookup(self):
        def handler(payload):
            return {"data": self._api_resident(self._api_id_number(payload))._city_api_data()}

        return self._api_call(handler, body=True)

    @http.route(f"{API_PREFIX}/<path:subpath>", type="http", auth="none", csrf=False, save_session=False, readonly=True)
    def unknown(self, subpath):
        return self._api_error(404, "not_found", f"Unknown endpoint {API_PREFIX}/{subpath}")

    @staticmethod
    def _api_division(code, field=None):
        """The division with this code, or a 404 naming it."""
        division = request.env["city.division"].search([("code", "=", code)], limit=1)
        if not division:
            raise ApiError(
                404,
                "not_found",
                request.env._("No division with code %(code)s.", code=code),
                {"field": field} if field else None,
            )
        return division

    @staticmethod
    def _api_resident(number, field="id_number"):
        """The resident visible to the key's user with this (normalised) ID number; 422 or 404 otherwise."""
        error = validators.resident_id_error(number)
        if error:
            raise ApiError(
                422,
                "validation_error",
                request.env._("The resident ID number %(reason)s.", reason=request.env._(ID_ERRORS[error])),
                {"field": field, "error": error},
            )
        resident = request.env["res.partner"]._city_find_resident(number)
        if not resident:
            raise ApiError(
                404,
                "not_found",
                request.env._("No resident with this ID number is visible to you."),
                {"field": field},
            )
        return resident

    @staticmethod
    def _api_id_number(payload):
        number = payload.get("id_number")
        if not isinstance(number, str) or not number.strip():
            raise ApiError(
                400, "malformed", request.env._("Send the ID number as a string in id_number."), {"field": "id_number"}
            )
        return validators.normalize_resident_id(number)
