from academy_runtime.migrations import run_env
from catalogue.adapters.orm import SCHEMA, metadata

run_env(metadata, SCHEMA)
