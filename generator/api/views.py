"""The API's JSON endpoints (DRF). Thin: validate, call a service or a queryset, shape the answer.

Objects are always looked up through ``visible_to(request.user)``, as on the web pages: another
user's project or run is a 404, except for staff, who see everyone's (the list marks each
project's ``owner``). The two streaming endpoints are async Django views in
generator/api/streams.py, not here: DRF has no async views; the spec version endpoints are in
generator/api/versions.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import ExpiredTokenError, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from accounts.models import ApiKey
from accounts.services import api_key_create, api_key_revoke, jwt_issue, jwt_revoke
from accounts.tokens import RevocableRefreshToken, TokenRevoked
from generator import archive, providers, services
from generator.api import results
from generator.api import serializers as s
from generator.api.errors import ApiError
from generator.api.pagination import ProjectPagination
from generator.api.params import whole_number
from generator.api.throttling import AuthThrottle, GenerateThrottle
from generator.constants import GENERATION_STATUS_SUCCEEDED
from generator.examples import EXAMPLES
from generator.models import Generation, Project, SpecVersion

if TYPE_CHECKING:
    from accounts.models import User

# Service field names -> the API's names, for validation errors.
PROJECT_FIELDS = {"name": "projectName", "base_url": "baseUrl"}


# --- health, examples -------------------------------------------------------------------------


class HealthView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: s.HealthOutput, 503: s.HealthOutput}, tags=["health"])
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            database = "ok"
        except Exception as exc:  # the answer, not a crash, is the point of a health check
            database = f"error: {type(exc).__name__}"
        healthy = database == "ok"
        body = {
            "status": "healthy" if healthy else "unhealthy",
            "timestamp": timezone.now(),
            "checks": {"database": database},
        }
        return Response(s.HealthOutput(body).data, status=200 if healthy else 503)


class ExamplesView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=s.ExampleOutput(many=True), tags=["examples"])
    def get(self, request: Request) -> Response:
        body = [
            {
                **example.to_dict(),
                "request": {
                    "projectName": example.name,
                    "description": example.description,
                    "requirements": example.requirements,
                },
            }
            for example in EXAMPLES
        ]
        return Response(body)


# --- authentication ---------------------------------------------------------------------------


def _tokens(user: Any) -> dict[str, Any]:
    access, refresh = jwt_issue(user=user)
    return {"token": access, "refresh": refresh}


def _read_refresh(raw: str) -> RevocableRefreshToken:
    """The verified refresh token, or a 401 saying what is wrong with it."""
    try:
        return RevocableRefreshToken(raw)  # type: ignore[arg-type]
    except TokenRevoked:
        raise exceptions.AuthenticationFailed(
            "The refresh token was revoked (logged out, or by an admin). Log in again.",
            code="token_revoked",
        ) from None
    except ExpiredTokenError:
        raise exceptions.AuthenticationFailed(
            "The refresh token has expired: log in again.", code="token_expired"
        ) from None
    except TokenError:
        raise exceptions.AuthenticationFailed(
            "The refresh token is not valid.", code="token_invalid"
        ) from None


def _email_verification_pending(user: Any) -> bool:
    """True when allauth requires a verified address and this user has none yet."""
    from allauth.account.models import EmailAddress

    if settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory":
        return False
    return not EmailAddress.objects.filter(user=user, verified=True).exists()


class RegisterView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=s.RegisterInput, responses={201: s.AuthOutput}, tags=["auth"])
    def post(self, request: Request) -> Response:
        from allauth.account.utils import setup_user_email

        data = _valid(s.RegisterInput, request)
        user_model = get_user_model()
        email = user_model.objects.normalize_email(data["email"]).lower()
        if user_model.objects.filter(email__iexact=email).exists():
            raise exceptions.ValidationError(
                {"email": ["An account with this e-mail address already exists."]}
            )
        candidate = user_model(email=email, display_name=data["name"].strip())
        try:
            validate_password(data["password"], user=candidate)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"password": exc.messages}) from None
        with transaction.atomic():
            user = user_model.objects.create_user(
                email=email, password=data["password"], display_name=data["name"].strip()
            )
            # allauth owns e-mail addresses: the web's sign-in and verification see this one.
            address = setup_user_email(request._request, user, [])
        if _email_verification_pending(user):
            if address is not None:
                address.send_confirmation(request._request, signup=True)
            body = {"user": user, "token": None, "refresh": None}
        else:
            body = {"user": user, **_tokens(user)}
        return Response(s.AuthOutput(body).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=s.LoginInput, responses={200: s.AuthOutput}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = _valid(s.LoginInput, request)
        # The same backends as allauth's login form (inactive users are refused there too).
        user = authenticate(request._request, email=data["email"], password=data["password"])
        if user is None:
            raise exceptions.AuthenticationFailed(
                "The e-mail address or the password is not correct.", code="invalid_credentials"
            )
        if _email_verification_pending(user):
            raise ApiError(
                "Verify your e-mail address first (see the message we sent you).",
                code="email_unverified",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        if jwt_settings.UPDATE_LAST_LOGIN:
            get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
        return Response(s.AuthOutput({"user": user, **_tokens(user)}).data)

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=s.RefreshInput, responses={200: s.RefreshOutput}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = _valid(s.RefreshInput, request)
        refresh = _read_refresh(data["refresh"])
        user = (
            get_user_model()
            .objects.filter(**{jwt_settings.USER_ID_FIELD: refresh.get(jwt_settings.USER_ID_CLAIM)})
            .first()
        )
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                "The account of this token is disabled or gone.", code="user_inactive"
            )
        from rest_framework_simplejwt.utils import get_md5_hash_password

        if jwt_settings.CHECK_REVOKE_TOKEN and refresh.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise exceptions.AuthenticationFailed(
                "The refresh token was revoked: the password changed. Log in again.",
                code="token_revoked",
            )
        return Response({"token": str(refresh.access_token)})

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class LogoutView(APIView):
    @extend_schema(
        request=s.LogoutInput,
        responses={204: None},
        tags=["auth"],
        description=(
            "Revoke the Bearer access token this request is made with, and the refresh token "
            "in the body if one is sent: both get 401 token_revoked from now on. Other access "
            "tokens end at their expiry (TAKOSS_JWT_ACCESS_MINUTES); a password change revokes "
            "them all. API keys are revoked with DELETE /api/auth/api-keys/{id}."
        ),
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.LogoutInput, request)
        tokens: list[Token] = []
        if isinstance(request.auth, Token):
            tokens.append(request.auth)
        if data["refresh"]:
            try:
                tokens.append(_read_refresh(data["refresh"]))
            except exceptions.AuthenticationFailed as exc:
                if exc.get_codes() not in ("token_revoked", "token_expired"):
                    raise exceptions.ValidationError(
                        {"refresh": ["Not a valid refresh token."]}
                    ) from None
                # already unusable: logging it out again is not an error
        elif not tokens:
            raise exceptions.ValidationError(
                {
                    "refresh": [
                        "Send the refresh token to revoke, or call with the Bearer token "
                        "to revoke it."
                    ]
                }
            )
        jwt_revoke(user=_user(request), tokens=tokens)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=s.UserOutput, tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response(s.UserOutput(request.user).data)


# --- API keys ---------------------------------------------------------------------------------


class ApiKeysView(APIView):
    @extend_schema(responses=s.ApiKeyOutput(many=True), tags=["api-keys"])
    def get(self, request: Request) -> Response:
        keys = ApiKey.objects.for_user(_user(request))
        return Response(s.ApiKeyOutput(keys, many=True).data)

    @extend_schema(request=s.ApiKeyInput, responses={201: s.ApiKeyCreatedOutput}, tags=["api-keys"])
    def post(self, request: Request) -> Response:
        data = _valid(s.ApiKeyInput, request)
        api_key, raw_key = _with_fields(
            lambda: api_key_create(
                user=_user(request), name=data["name"], expires_in_days=data["expiresInDays"]
            ),
            {"expires_in_days": "expiresInDays"},
        )
        api_key.key = raw_key  # type: ignore[attr-defined]
        return Response(s.ApiKeyCreatedOutput(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyView(APIView):
    @extend_schema(responses={204: None}, tags=["api-keys"])
    def delete(self, request: Request, pk: int) -> Response:
        api_key_revoke(user=_user(request), key_id=pk)  # another user's key: DoesNotExist -> 404
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- generating -------------------------------------------------------------------------------


def check_generation(owner: User, data: dict[str, Any]) -> None:
    """Refuse, before any write, what :func:`start_generation` would refuse (bar races)."""
    _with_fields(lambda: services.project_clean(**_project_fields(data)), PROJECT_FIELDS)
    choice = _with_fields(lambda: providers.provider_clean(owner=owner, **_model_fields(data)),
                          PROJECT_FIELDS)  # fmt: skip
    services.generation_check_capacity(owner_id=owner.pk)
    providers.budget_check(user=owner, provider=choice["provider"])


def start_generation(owner: User, data: dict[str, Any]) -> Generation:
    return _with_fields(
        lambda: services.project_create_and_start(
            owner=owner, **_project_fields(data), **_model_fields(data)
        ),
        PROJECT_FIELDS,
    )


def _model_fields(data: dict[str, Any]) -> dict[str, str]:
    return {
        "provider": data.get("provider", ""),
        "model": data.get("model", ""),
        "base_url": data.get("baseUrl", ""),
    }


def _project_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["projectName"],
        "description": data["description"],
        "requirements": data["requirements"],
        "stack": data["stack"],
    }


class GenerateView(APIView):
    throttle_classes = [GenerateThrottle]

    @extend_schema(
        request=s.GenerateInput,
        responses={200: s.ResultOutput, 202: s.GenerateAcceptedOutput},
        tags=["generate"],
        description=(
            "Create a project and generate it. Waits for the run (verification included) and "
            'answers its full result; with "wait": false answers 202 with the URLs to follow. '
            "A run still going after TAKOSS_API_WAIT_SECONDS also answers 202."
        ),
    )
    def post(self, request: Request) -> Response:
        data = _valid(s.GenerateInput, request)
        generation = start_generation(_user(request), data)
        absolute = request.build_absolute_uri
        if data["wait"] and results.wait_until_final(
            generation, timeout=settings.TAKOSS_API_WAIT_SECONDS
        ):
            return Response(results.generation_result(generation, absolute))
        return Response(
            results.generation_accepted(generation, absolute), status=status.HTTP_202_ACCEPTED
        )


class GenerationView(APIView):
    @extend_schema(responses=s.GenerationOutput, tags=["generations"])
    def get(self, request: Request, pk: int) -> Response:
        generation = _generation(request, pk)
        return Response(results.generation_status(generation, request.build_absolute_uri))


class GenerationCancelView(APIView):
    @extend_schema(request=None, responses=s.GenerationOutput, tags=["generations"])
    def post(self, request: Request, pk: int) -> Response:
        generation = services.generation_cancel(
            generation=_generation(request, pk), user=_user(request)
        )
        return Response(results.generation_status(generation, request.build_absolute_uri))


# --- projects ---------------------------------------------------------------------------------


class ProjectsView(generics.ListAPIView):
    pagination_class = ProjectPagination
    serializer_class = s.ProjectOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Matches name, description, requirements"),
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
        ],
        tags=["projects"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        search = self.request.query_params.get("search", "")
        return Project.objects.visible_to(self.request.user).search(search).select_related("owner")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        absolute = request.build_absolute_uri
        return self.get_paginated_response(
            [results.project_summary(project, absolute) for project in page]
        )


class ProjectView(APIView):
    @extend_schema(responses=s.ProjectDetailOutput, tags=["projects"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(results.project_detail(_project(request, pk), request.build_absolute_uri))

    @extend_schema(responses={204: None}, tags=["projects"])
    def delete(self, request: Request, pk: int) -> Response:
        services.project_delete(project=_project(request, pk), user=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectRegenerateView(APIView):
    throttle_classes = [GenerateThrottle]

    @extend_schema(request=None, responses={202: s.GenerateAcceptedOutput}, tags=["projects"])
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk)
        generation = _with_fields(
            lambda: services.generation_regenerate(project=project, user=_user(request)),
            PROJECT_FIELDS,
        )
        return Response(
            results.generation_accepted(generation, request.build_absolute_uri),
            status=status.HTTP_202_ACCEPTED,
        )


GENERATION_PARAMETER = OpenApiParameter(
    "generation", int, description="A run of this project (default: the latest with files)"
)
VERSION_PARAMETER = OpenApiParameter(
    "version",
    int,
    description="A version of this project: its newest verified build (instead of generation)",
)


class ProjectDownloadView(APIView):
    @extend_schema(
        parameters=[GENERATION_PARAMETER, VERSION_PARAMETER],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
        tags=["projects"],
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        if "version" in request.query_params:
            generation = _version_run(request, pk)
        else:
            generation = _packaged_run(request, pk)
        with _archive_errors():
            return archive.archive_download(generation)


class ProjectFilesView(APIView):
    @extend_schema(parameters=[GENERATION_PARAMETER], responses=s.FilesOutput, tags=["projects"])
    def get(self, request: Request, pk: int) -> Response:
        generation = _packaged_run(request, pk)
        sizes = {f["path"]: f.get("size", 0) for f in generation.files or []}
        with _archive_errors():
            paths = list(archive.archive_members(generation))
        files = [{"path": path, "size": sizes.get(path, 0)} for path in paths]
        return Response(
            {
                "projectId": generation.project_id,
                "generationId": generation.pk,
                "count": len(files),
                "files": files,
                "tree": _tree(files),
            }
        )


class ProjectFileView(APIView):
    @extend_schema(
        parameters=[GENERATION_PARAMETER],
        responses=s.FileContentOutput,
        tags=["projects"],
        operation_id="projects_file_retrieve",
    )
    def get(self, request: Request, pk: int, path: str) -> Response:
        generation = _packaged_run(request, pk)
        with _archive_errors():
            data = archive.archive_read(generation, path)  # an exact archive member, or missing
        try:
            content: str | None = data.decode("utf-8")
        except UnicodeDecodeError:
            content = None
        return Response(
            {"path": path, "size": len(data), "binary": content is None, "content": content}
        )


# --- helpers ----------------------------------------------------------------------------------


def _user(request: Request) -> User:
    """The authenticated user (every view here but the public ones requires one)."""
    return cast("User", request.user)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise exceptions.ParseError("the body must be a JSON object")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _with_fields(call: Any, names: dict[str, str]) -> Any:
    """Run a service call; rename the fields of its ``ValidationError`` to the API's names."""
    try:
        return call()
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise exceptions.ValidationError(
            {names.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from None


def _project(request: Request, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user), pk=pk)


def _generation(request: Request, pk: int) -> Generation:
    return get_object_or_404(
        Generation.objects.visible_to(request.user).select_related("project"), pk=pk
    )


def _packaged_run(request: Request, pk: int) -> Generation:
    """The requested run of the project (``?generation=``) or its latest run with a ZIP."""
    project = _project(request, pk)
    runs = project.generations.select_related("project").exclude(zip="")
    wanted = request.query_params.get("generation")
    if wanted is not None:
        runs = runs.filter(pk=whole_number(wanted, name="generation", minimum=1))
    generation = runs.order_by("-number").first()
    if generation is None:
        raise exceptions.NotFound("This project has no generated files yet.")
    return generation


def _version_run(request: Request, pk: int) -> Generation:
    """The newest verified build of the requested version (``?version=``)."""
    project = _project(request, pk)
    if "generation" in request.query_params:
        raise exceptions.ValidationError({"version": ["Give version or generation, not both."]})
    number = whole_number(request.query_params["version"], name="version", minimum=1)
    version = project.versions.filter(number=number).first()
    if version is None:
        raise exceptions.NotFound(f"This project has no version {number}.")
    generation = verified_build(version)
    if generation is None:
        raise exceptions.NotFound(
            f"Version {number} has no verified build to download: build it first."
        )
    return generation


def verified_build(version: SpecVersion) -> Generation | None:
    """The version's newest verified build that has a ZIP (what its download sends)."""
    return (
        version.builds.select_related("project")
        .filter(status=GENERATION_STATUS_SUCCEEDED)
        .exclude(zip="")
        .order_by("-number")
        .first()
    )


@contextmanager
def _archive_errors() -> Iterator[None]:
    """A missing file, or a ZIP gone from storage, is a 404 saying which."""
    try:
        yield
    except archive.FileMissing as missing:
        raise exceptions.NotFound(str(missing)) from None


def _tree(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    root: dict[str, Any] = {}
    for file in files:
        *folders, name = file["path"].split("/")
        node = root
        for folder in folders:
            node = node.setdefault(folder + "/", {})
        node[name] = file
    return _nodes(root, "")


def _nodes(node: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    folders = sorted(k for k in node if k.endswith("/"))
    files = sorted(k for k in node if not k.endswith("/"))
    out: list[dict[str, Any]] = []
    for key in folders:
        path = f"{prefix}{key[:-1]}"
        out.append(
            {
                "name": key[:-1],
                "path": path,
                "type": "directory",
                "children": _nodes(node[key], f"{path}/"),
            }
        )
    for key in files:
        out.append(
            {"name": key, "path": f"{prefix}{key}", "type": "file", "size": node[key]["size"]}
        )
    return out
