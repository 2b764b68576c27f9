"""mplat front end: load, overlay, schema, rules, model. Never imports the CDK engine."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "model-platform.schema.json"
API_VERSION = "mplat/v1"
KIND = "ModelPlatform"
