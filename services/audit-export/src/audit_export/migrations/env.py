from academy_runtime.migrations import run_env
from audit_export.adapters.orm import SCHEMA, metadata

run_env(metadata, SCHEMA)
