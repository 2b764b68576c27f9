"""mplat front end: load, overlay, schema, rules, model. Never imports the CDK engine."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SCHEMA_FILE = "model-platform.schema.json"
# An installed mplat (pip install) carries the schema as compiler/schemas/ (pyproject.toml maps the
# top-level schemas/ there); a source checkout reads schemas/ itself, the one source.
_INSTALLED_SCHEMA = Path(__file__).resolve().parent / "schemas" / _SCHEMA_FILE
SCHEMA_PATH = _INSTALLED_SCHEMA if _INSTALLED_SCHEMA.is_file() else ROOT / "schemas" / _SCHEMA_FILE
API_VERSION = "mplat/v1"
KIND = "ModelPlatform"
