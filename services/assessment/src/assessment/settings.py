"""Assessment settings (env prefix ASSESSMENT_)."""

from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from academy_runtime.settings import ServiceSettings

REPO_UI_DIST = Path(__file__).resolve().parents[4] / "ui" / "dist"


class AssessmentSettings(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    http_port: int = 8102
    scheduler_interval_s: float = Field(
        default=30.0,
        gt=0,
        description="how often expiry notices and overdue attempts are looked for",
    )
    scheduler_batch_size: int = Field(
        default=500, ge=1, description="certificates or attempts handled per scheduler step"
    )
    submission_grace_s: int = Field(
        default=30, ge=0, description="seconds a submission may arrive after the time limit"
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8102",
        description="address the public reaches this service at; printed certificates show "
        "`{public_base_url}/v1/certificates/verify/{code}`",
    )

    ui_dist_dir: str = Field(
        default="",
        description="folder of the built portal UI kit (`academy-ui.js`, `academy-ui.css`), "
        "served at `/ui/`; empty means the repository's `ui/dist` (`make ui` builds it)",
    )

    def ui_dist_path(self) -> Path:
        """The UI kit's folder: the setting, or `ui/dist` of the repository this file is in."""
        return Path(self.ui_dist_dir) if self.ui_dist_dir else REPO_UI_DIST

    @field_validator("public_base_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL such as https://academy.example")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return value.rstrip("/")
