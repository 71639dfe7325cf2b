from academy_runtime.migrations import run_env
from release_bridge.adapters.orm import SCHEMA, metadata

run_env(metadata, SCHEMA)
