"""The ONLY change made to the generated JSON before terraform sees it (package docstring)."""
from __future__ import annotations

import copy


def region_alias(region: str) -> str:
    """The provider alias :func:`translate` gives a region (a valid Terraform identifier)."""
    return "region_" + region.replace("-", "_")


def translate(doc: dict, aws_version: str) -> dict:
    """The generated stack for the mirror's provider: pin ``aws_version``; below 6.0, each
    resource's or data source's ``region`` becomes ``provider = "aws.<region_alias>"`` with one
    aliased copy of the default aws provider block per region. Nothing else changes."""
    out = copy.deepcopy(doc)
    out["terraform"]["required_providers"]["aws"]["version"] = aws_version
    if int(aws_version.split(".")[0]) >= 6:
        return out
    blocks = out.get("provider", {}).get("aws", [])
    defaults = [b for b in blocks if "alias" not in b]
    regions: list[str] = []
    for kind in ("resource", "data"):
        for type_, items in out.get(kind, {}).items():
            if not type_.startswith("aws_"):
                continue
            for name, body in items.items():
                if "region" not in body:
                    continue
                if "provider" in body or len(defaults) != 1:
                    raise ValueError(f"{kind}.{type_}.{name}: a region with an explicit provider "
                                     "or without one default aws provider has no translation")
                region = body.pop("region")
                if not isinstance(region, str) or "${" in region:
                    raise ValueError(f"{kind}.{type_}.{name}: region {region!r} is not a literal")
                body["provider"] = f"aws.{region_alias(region)}"
                if region not in regions:
                    regions.append(region)
    taken = {b.get("alias") for b in blocks}
    for region in sorted(regions):
        if region_alias(region) in taken:
            raise ValueError(f"provider alias {region_alias(region)} already exists")
        blocks.append({**copy.deepcopy(defaults[0]), "alias": region_alias(region),
                       "region": region})
    return out
