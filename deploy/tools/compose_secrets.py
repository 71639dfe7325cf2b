"""Create deploy/.env and deploy/.secrets/ for deploy/compose.yaml (never overwrites a value).

    uv run python deploy/tools/compose_secrets.py [--deploy-dir DIR]

Random passwords (Postgres admin, migration and runtime roles, Grafana), the portal webhook
signing secret, the audit-pack signing key and SSH keys for the SFTP archive are generated;
site values (OIDC issuer, portal URL) get a default to edit. Both paths are git-ignored
(deploy/.gitignore).
"""

import argparse
import base64
import hashlib
import secrets
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

DEPLOY_DIR = Path(__file__).resolve().parents[1]
SFTP_CLIENT_KEY = "sftp_client_key"
SFTP_HOST_KEY = "sftp_host_ed25519_key"
#: SSH keys compose.yaml mounts into the SFTP server: private key file -> public key file.
SSH_KEYS: dict[str, str | None] = {SFTP_CLIENT_KEY: f"{SFTP_CLIENT_KEY}.pub", SFTP_HOST_KEY: None}


def _password() -> str:
    return secrets.token_hex(24)


def _webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _ed25519_seed() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def _start_of_today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")


def _private_key_text(path: Path) -> str:
    """The key file as one double-quoted .env value (compose expands the \\n escapes)."""
    return '"' + path.read_text().strip().replace("\n", "\\n") + '\\n"'


def _fingerprint(private_key_path: Path) -> str:
    """SHA256:… of the public key, as `ssh-keygen -lf` prints it."""
    key = serialization.load_ssh_private_key(private_key_path.read_bytes(), password=None)
    blob = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    digest = hashlib.sha256(base64.b64decode(blob.split()[1])).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def env_defaults(secrets_dir: Path) -> dict[str, Callable[[], str]]:
    """Every variable compose.yaml interpolates, with how to produce its first value."""
    return {
        "POSTGRES_PASSWORD": _password,
        # The migrations' role (owns the schemas) and the services' role (rows only).
        "ACADEMY_MIGRATOR_PASSWORD": _password,
        "ACADEMY_APP_PASSWORD": _password,
        "GRAFANA_ADMIN_PASSWORD": _password,
        "ACADEMY_OIDC_ISSUER": lambda: "https://vendor.okta.com/oauth2/default",
        "ACADEMY_OIDC_AUDIENCE": lambda: "academy",
        "ACADEMY_OIDC_JWKS_URL": lambda: "https://vendor.okta.com/oauth2/default/v1/keys",
        "ACADEMY_PORTAL_WEBHOOK_URL": lambda: "https://portal.vendor.internal/webhooks/academy",
        # The partner portal's page calls assessment and release-bridge from its browser origin.
        "ACADEMY_PORTAL_ORIGIN": lambda: "https://portal.vendor.internal",
        "RELEASE_BRIDGE_PORTAL_WEBHOOK_SECRET": _webhook_secret,
        "ACADEMY_AUDIT_SIGNING_KEY": _ed25519_seed,
        "ACADEMY_AUDIT_SIGNING_KEY_VALID_FROM": _start_of_today,
        "ACADEMY_SFTP_PRIVATE_KEY": lambda: _private_key_text(secrets_dir / SFTP_CLIENT_KEY),
        "ACADEMY_SFTP_HOST_KEY_FINGERPRINT": lambda: _fingerprint(secrets_dir / SFTP_HOST_KEY),
    }


ENV_NAMES = tuple(env_defaults(DEPLOY_DIR / ".secrets"))


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[name.strip()] = value
    return values


def ensure_env(path: Path, secrets_dir: Path) -> list[str]:
    """Append the variables `path` lacks; returns their names."""
    existing = read_env(path)
    defaults = env_defaults(secrets_dir)
    missing = [name for name in defaults if name not in existing]
    if missing:
        lines = [f"{name}={defaults[name]()}" for name in missing]
        prefix = "" if not path.exists() or path.read_text().endswith("\n") else "\n"
        with path.open("a") as env_file:
            env_file.write(prefix + "\n".join(lines) + "\n")
        path.chmod(0o600)
    return missing


def ensure_ssh_key(private: Path, public: Path | None) -> bool:
    """Write an Ed25519 key pair in OpenSSH format unless `private` exists."""
    if private.exists():
        return False
    key = ed25519.Ed25519PrivateKey.generate()
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    if public is not None:
        openssh = key.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        public.write_bytes(openssh + b" academy-audit-export\n")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--deploy-dir", type=Path, default=DEPLOY_DIR)
    args = parser.parse_args(argv)
    deploy_dir: Path = args.deploy_dir
    secrets_dir = deploy_dir / ".secrets"
    secrets_dir.mkdir(mode=0o700, exist_ok=True)
    for private_name, public_name in SSH_KEYS.items():
        public = secrets_dir / public_name if public_name else None
        if ensure_ssh_key(secrets_dir / private_name, public):
            sys.stdout.write(f"wrote {secrets_dir / private_name}\n")
    for name in ensure_env(deploy_dir / ".env", secrets_dir):
        sys.stdout.write(f"set {name} in {deploy_dir / '.env'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
